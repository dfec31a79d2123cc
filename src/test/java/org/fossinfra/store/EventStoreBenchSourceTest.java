package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/event-store/EventStoreBench.java lives outside the test tree (it is a benchmark driver, not a test, and
 * bench/event-store.sh compiles it), but it uses the store's package-private statements: compiled here against the
 * classes under test, so that a change that breaks it fails the build instead of the next benchmark run.
 */
class EventStoreBenchSourceTest {
    @TempDir
    Path out;

    @Test
    void theBenchmarkDriverCompilesAgainstTheProduct() {
        Path source = Path.of("bench/event-store/EventStoreBench.java");
        assertThat(source).as("run from the repository's root, as Maven does").exists();
        // Surefire puts the test class path in this property; java.class.path may be a single manifest jar.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        Boolean ok = javac.getTask(diagnostics, null, null,
                List.of("-nowarn", "-d", out.toString(), "-cp", classPath),
                null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(source)).call();
        assertThat(ok).as("javac %s:%n%s", source, diagnostics).isTrue();
        assertThat(Files.exists(out.resolve("org/fossinfra/store/EventStoreBench.class"))).isTrue();
    }
}
