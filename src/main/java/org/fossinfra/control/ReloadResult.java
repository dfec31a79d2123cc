package org.fossinfra.control;

import java.util.List;

/**
 * What a reload did: applied with a summary of changes, or refused with every reason (nothing changed then).
 */
public record ReloadResult(boolean applied, List<String> changes, List<String> errors) {
    static ReloadResult applied(List<String> changes) {
        return new ReloadResult(true, List.copyOf(changes), List.of());
    }

    static ReloadResult refused(List<String> errors) {
        return new ReloadResult(false, List.of(), List.copyOf(errors));
    }
}
