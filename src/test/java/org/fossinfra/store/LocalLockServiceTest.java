package org.fossinfra.store;

import io.vertx.core.Vertx;

class LocalLockServiceTest extends LockServiceContract {
    private LocalLockService service;

    @Override
    LockService service(Vertx vertx, LockService other) {
        if (other == null) {
            service = new LocalLockService(vertx, System::nanoTime);
            return service;
        }
        // Two nodes sharing an in-process store are two users of one service; closing it twice is harmless.
        return other;
    }

    @Override
    void takeAway(String name) {
        service.drop(name);
    }
}
