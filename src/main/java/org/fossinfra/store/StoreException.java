package org.fossinfra.store;

/** A store failure whose message is the sentence an operator reads (see {@link PgErrors}); the cause has the detail. */
final class StoreException extends Exception {
    StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
