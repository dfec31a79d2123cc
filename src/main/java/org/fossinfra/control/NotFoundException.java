package org.fossinfra.control;

/** A backend or server name that doesn't exist; the message names it and says what exists. */
public final class NotFoundException extends Exception {
    public NotFoundException(String message) {
        super(message);
    }
}
