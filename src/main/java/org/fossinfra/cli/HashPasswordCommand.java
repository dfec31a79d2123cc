package org.fossinfra.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.fossinfra.config.Passwords;
import picocli.CommandLine.Command;

/**
 * Prints a bcrypt hash of a password for {@code admin.users[].password-hash}. On a terminal it asks twice without
 * echo; otherwise it reads one line from standard input ({@code echo "$PW" | foss-infra hash-password}), so the
 * password never has to be on the command line, where other users could see it in the process list.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = {"Print a bcrypt hash of a password, for admin.users[].password-hash in the config.",
            "Asks for the password (twice, without echo) on a terminal; otherwise reads one line from standard input."})
final class HashPasswordCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        char[] password;
        Console console = System.console();
        if (console != null && isTerminal(console)) {
            password = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                System.err.println("hash-password: the two passwords differ; nothing printed");
                return 1;
            }
            Arrays.fill(again, '\0');
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                System.err.println("hash-password: no password on standard input; type it on a terminal, or pipe it in");
                return 1;
            }
            password = line.toCharArray();
        }
        try {
            System.out.println(Passwords.hash(password));
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("hash-password: " + e.getMessage());
            return 1;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * From JDK 22 on, System.console() exists even when input is piped; Console.isTerminal() (22+) tells. On 21 the
     * console is null unless both ends are a terminal.
     */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
