package org.fossinfra.matrix;

import org.fossinfra.config.MatrixConfig;

/**
 * The bot's signed-in session, shared by the sync loop and the sender. It signs in with the configured access token
 * (checked with whoami) or with the password (on the configured device, so the device and with it the scope of
 * transaction ids survive every new login). When the homeserver forgets the token ({@code M_UNKNOWN_TOKEN}), the
 * first thread to notice signs in again and the other one uses the new token; without a password that is
 * {@link MatrixException.Kind#FATAL}: only a person can fix it.
 */
final class Session {
    /** One authenticated request. */
    interface Call<T> {
        T run(String token) throws MatrixException, InterruptedException;
    }

    /** Told when a session the homeserver forgot was replaced by a new sign-in. */
    interface Listener {
        void onSignedInAgain(MatrixClient.Login refused, MatrixClient.Login fresh, String reason);
    }

    private final MatrixClient client;
    private final MatrixConfig config;
    private final Listener listener;
    private MatrixClient.Login login;
    private boolean configTokenRefused;
    /** The session the homeserver refused last, until the next sign-in replaces it (and reports so). */
    private MatrixClient.Login refused;
    private String refusedReason;

    Session(MatrixClient client, MatrixConfig config, Listener listener) {
        this.client = client;
        this.config = config;
        this.listener = listener;
    }

    /** Runs {@code call} with the current token, signing in first if needed and once more if the token is refused. */
    <T> T call(Call<T> call) throws MatrixException, InterruptedException {
        MatrixClient.Login l = signIn();
        try {
            return call.run(l.accessToken());
        } catch (MatrixException e) {
            if (e.kind() != MatrixException.Kind.UNKNOWN_TOKEN) {
                throw e;
            }
            forget(l, e.getMessage());
            return call.run(signIn().accessToken());
        }
    }

    /** The current session, signing in if there is none. */
    synchronized MatrixClient.Login signIn() throws MatrixException, InterruptedException {
        if (login != null) {
            return login;
        }
        if (config.accessToken().isPresent() && !configTokenRefused) {
            try {
                login = check(client.whoami(config.accessToken().get()), "matrix.access-token");
                return login;
            } catch (MatrixException e) {
                if (e.kind() != MatrixException.Kind.UNKNOWN_TOKEN) {
                    throw e;
                }
                configTokenRefused = true;
            }
        }
        if (config.password().isEmpty()) {
            throw MatrixException.fatal("the homeserver refused matrix.access-token (M_UNKNOWN_TOKEN: it was logged"
                    + " out, its device deleted, or it expired) and no matrix.password is configured to sign in again;"
                    + " set a valid access-token or a password and restart the node");
        }
        try {
            login = check(client.login(config.user(), config.password().get(), config.deviceId()), "matrix.password");
            if (refused != null) {
                MatrixClient.Login was = refused;
                refused = null;
                listener.onSignedInAgain(was, login, refusedReason);
            }
        } catch (MatrixException e) {
            if (e.kind() == MatrixException.Kind.REFUSED) {
                // 403 M_FORBIDDEN (wrong password), M_USER_DEACTIVATED, 400: trying again cannot help.
                throw MatrixException.fatal("the homeserver refused to sign in " + config.user() + " (" + e.getMessage()
                        + "); check matrix.user and matrix.password and restart the node");
            }
            throw e;
        }
        return login;
    }

    /** Drops {@code stale} (if it is still current), so that the next call signs in again. */
    synchronized void forget(MatrixClient.Login stale, String reason) {
        if (login == stale) {
            login = null;
            refused = stale;
            refusedReason = reason;
            if (config.accessToken().isPresent() && stale.accessToken().equals(config.accessToken().get())) {
                configTokenRefused = true;
            }
        }
    }

    /** The user id and device of the current session, or null before the first sign-in. */
    synchronized MatrixClient.Login current() {
        return login;
    }

    private MatrixClient.Login check(MatrixClient.Login l, String key) throws MatrixException {
        if (!l.userId().equals(config.user())) {
            throw MatrixException.fatal(key + " signs in " + l.userId() + ", but matrix.user is " + config.user()
                    + "; make them agree and restart the node");
        }
        return l;
    }
}
