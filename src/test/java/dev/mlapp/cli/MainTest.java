package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The command line a person types: help that starts with the commands, and mistakes that are never ignored. */
class MainTest {

    /**
     * Loads every command's class before output is captured: under Jazzer's agent (the fuzz tests share this JVM)
     * a class's first load prints an "Instrumented …" line to stderr, which is not the command's output.
     */
    @BeforeAll
    static void loadTheCommands() {
        for (String command : List.of("serve", "infer", "bench", "size", "loadtest", "monitor")) {
            Captured.run(command, "--help");
        }
    }


    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "help"})
    void helpListsTheCommandsBeforeServesOptions(String flag) {
        Captured result = Captured.run(flag);
        assertEquals(ExitStatus.OK, result.status());
        int firstOption = result.out().indexOf("--port");
        assertTrue(firstOption > 0, result.out());
        for (String command : List.of("serve", "infer", "bench", "size", "loadtest", "monitor")) {
            int at = result.out().indexOf("\n  " + command + " ");
            assertTrue(at > 0 && at < firstOption, command + " is listed before the options:\n" + result.out());
        }
    }

    @Test
    void aCommandsHelpIsItsOwn() {
        Captured result = Captured.run("infer", "--help");
        assertEquals(ExitStatus.OK, result.status());
        assertTrue(result.out().contains("--input FILE"), result.out());
        assertEquals(ExitStatus.OK, Captured.run("serve", "-h").status());
    }

    /** Each of these used to start a server on port 5000 as if nothing had been typed wrong. */
    @ParameterizedTest
    @ValueSource(strings = {"-p 5102", "--port 5102 extra", "serve --port 5102 extra", "-port 5102",
        "infer --input a.npy --output b.npy extra", "bench -q", "loadtest --url http://127.0.0.1:1 now",
        "monitor -n ml", "--prot 5102", "--bogus", "bench --bogus"})
    void mistakesExit2WithASentenceAndStartNothing(String line) {
        Captured result = Captured.run(line.split(" "));
        assertEquals(ExitStatus.USAGE, result.status(), line + "\n" + result.out() + result.err());
        assertEquals(2, ExitStatus.USAGE.code());
        List<String> lines = result.err().lines().toList();
        assertEquals(2, lines.size(), "a sentence and where to look: " + result.err());
        assertTrue(lines.get(0).matches("ml-app: (unknown option|unexpected argument) .+\\."), lines.get(0));
        assertTrue(lines.get(1).matches("Run '\\./ml-app (\\w+ )?--help' for the commands and options\\."),
                lines.get(1));
        assertEquals("", result.out(), "nothing started");
    }

    @Test
    void theMistakeIsNamed() {
        assertTrue(Captured.run("-p", "5102").err().startsWith("ml-app: unknown option -p: options are spelt out with two"
                + " dashes, e.g. --port 5000."), Captured.run("-p", "5102").err());
        assertTrue(Captured.run("--port", "5102", "extra").err().startsWith("ml-app: unexpected argument 'extra'"));
    }
}
