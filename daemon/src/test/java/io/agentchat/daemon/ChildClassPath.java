package io.agentchat.daemon;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The class path for a child JVM that tests start ({@code agentchat} in {@link DaemonChild}, the
 * {@link LockHolderMain}, a {@code daemon -b} parent): this test JVM's class path without what only
 * the test engine and other modules' test harnesses need.
 *
 * <p>It matters beyond tidiness: {@code --stop} recognises a daemon by its command line (the main
 * class and {@code --name}, see {@link DaemonProcess#isOurs}), and the JDK reads a process's command
 * line back only up to about 4 KiB. With the whole test class path after {@code -cp}, one more entry
 * (such as the server's test-jar) pushes the persona arguments past that, and the test's own daemon
 * is taken for a foreign process. A daemon launched by the product inherits this class path too.
 * Children therefore get it in the {@code CLASSPATH} environment variable, not after {@code -cp}: the
 * MCP SDK's jars alone took the filtered path past 4 KiB.
 */
public final class ChildClassPath {

    /** Path fragments of entries no child needs: the test engine, test libraries, test harnesses. */
    private static final List<String> TEST_ONLY = List.of(
            "/org/junit/", "/org/opentest4j/", "/org/apiguardian/", "/org/awaitility/", "/org/hamcrest/",
            "/com/code-intelligence/", "/agentchat-server-", "/server/target/test-classes");

    private ChildClassPath() {
    }

    public static String get() {
        String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(full.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty() && TEST_ONLY.stream().noneMatch(fragment -> isTestOnly(entry, fragment)))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static boolean isTestOnly(String entry, String fragment) {
        String path = entry.replace(File.separatorChar, '/');
        if (fragment.equals("/agentchat-server-")) {
            // the server's test-jar from a repository; the server's own jar or classes stay
            return path.contains(fragment) && path.endsWith("-tests.jar");
        }
        return path.contains(fragment);
    }
}
