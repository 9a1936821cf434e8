package dev.jshm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: jshm's version, from the Maven descriptor the jar carries, and the JVM's. */
final class VersionProvider implements IVersionProvider {

    private static final String POM_PROPERTIES = "/META-INF/maven/dev.jshm/jshm/pom.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "jshm " + jshmVersion(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }

    /** The version of the jar this class came from, or {@code unknown} outside a built jar. */
    static String jshmVersion() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version");
                if (version != null) {
                    return version;
                }
            }
        } catch (IOException e) {
            // Fall through: a version we cannot read is no reason to fail --version.
        }
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return version != null ? version : "unknown";
    }
}
