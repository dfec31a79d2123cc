package org.fossinfra.control;

import java.util.List;

/**
 * What a reload did: applied with a summary of the changes made, and of those that wait for a restart (the node keeps
 * running with their old values); or refused with every reason (nothing changed then).
 */
public record ReloadResult(boolean applied, List<String> changes, List<String> restartRequired, List<String> errors) {
    public ReloadResult {
        changes = List.copyOf(changes);
        restartRequired = List.copyOf(restartRequired);
        errors = List.copyOf(errors);
    }

    static ReloadResult applied(List<String> changes, List<String> restartRequired) {
        return new ReloadResult(true, changes, restartRequired, List.of());
    }

    static ReloadResult refused(List<String> errors) {
        return new ReloadResult(false, List.of(), List.of(), errors);
    }
}
