package io.agentchat.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code --version}: the project version Maven wrote into {@code agentchat-version.properties}. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    static final String RESOURCE = "/agentchat-version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {version()};
    }

    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
