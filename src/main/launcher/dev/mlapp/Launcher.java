package dev.mlapp;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point, compiled for Java 8 so that {@code java -jar ml-app.jar} under an older default java (17 on
 * Debian 12) says in one sentence what to do, instead of failing with {@code UnsupportedClassVersionError ... 65.0}.
 * With Java 21 or newer it hands over to {@code dev.mlapp.cli.Main}.
 */
public final class Launcher {

    static final int REQUIRED = 21;

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        String version = System.getProperty("java.specification.version", "0");
        int feature = Integer.parseInt(version.startsWith("1.") ? version.substring(2) : version.replaceAll("\\D.*", ""));
        if (feature < REQUIRED) {
            System.err.println("ml-app needs Java " + REQUIRED + " or newer and was started by Java " + version + " ("
                    + System.getProperty("java.home") + "): run ./ml-app in the project, which finds a JDK " + REQUIRED
                    + "+ wherever it is installed, or install one, e.g. 'sudo apt-get install openjdk-" + REQUIRED
                    + "-jdk'.");
            System.exit(1);
        }
        try {
            Class.forName("dev.mlapp.cli.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
