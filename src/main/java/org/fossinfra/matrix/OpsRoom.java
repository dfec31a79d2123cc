package org.fossinfra.matrix;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.fossinfra.config.MatrixConfig;

/**
 * Finds or makes the ops room. A configured room id is joined; a configured alias is joined, or, when it does not
 * exist and belongs to the bot's own server, created with that alias; without either, the room the bot made on an
 * earlier run (remembered in its {@link SyncState}) is used, or a new one is made.
 *
 * <p>A room the bot creates is private (invite only, not in the directory), named and with a topic from the config,
 * and invites the configured people and operators. It is <b>not</b> end-to-end encrypted, unlike the seed's
 * {@code m.room.encryption}: the bot has no Olm/Megolm keys, so it could neither read the commands nor post readable
 * notifications in an encrypted room (docs/matrix.md says more).
 */
final class OpsRoom {
    private final MatrixClient client;
    private final Session session;
    private final MatrixConfig config;

    OpsRoom(MatrixClient client, Session session, MatrixConfig config) {
        this.client = client;
        this.session = session;
        this.config = config;
    }

    /** The ops room's id, joined. */
    String ensure(Optional<String> remembered) throws MatrixException, InterruptedException {
        if (config.room().isPresent()) {
            String spec = config.room().get();
            try {
                return session.call(t -> client.join(t, spec));
            } catch (MatrixException e) {
                if (spec.startsWith("#") && e.status() == 404 && server(spec).equals(server(config.user()))) {
                    return create(Optional.of(spec.substring(1, spec.indexOf(':'))));
                }
                throw e;
            }
        }
        if (remembered.isPresent()) {
            String room = remembered.get();
            if (session.call(client::joinedRooms).contains(room)) {
                return room;
            }
            try {
                return session.call(t -> client.join(t, room));
            } catch (MatrixException e) {
                if (e.kind() != MatrixException.Kind.REFUSED) {
                    throw e;
                }
                // The room we made is gone or closed to us: make another rather than stay out of touch.
            }
        }
        return create(Optional.empty());
    }

    private String create(Optional<String> aliasLocalpart) throws MatrixException, InterruptedException {
        Set<String> invite = new LinkedHashSet<>(config.invite());
        invite.addAll(config.operators());
        invite.remove(config.user());
        JsonObject request = new JsonObject()
                .put("preset", "private_chat")
                .put("visibility", "private")
                .put("name", config.roomName())
                .put("topic", config.roomTopic())
                .put("invite", new JsonArray(invite.stream().toList()));
        aliasLocalpart.ifPresent(a -> request.put("room_alias_name", a));
        return session.call(t -> client.createRoom(t, request));
    }

    /** The server part of a user id or alias: what follows the first ':'. */
    static String server(String id) {
        return id.substring(id.indexOf(':') + 1);
    }
}
