package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code serve --help} and README's settings table list the same settings, in the same order, with the same
 * variable and default: both come from one table ({@code serve.ServeSettings}) and this keeps README in step.
 */
class ServeHelpTest {

    /** A setting as a person reads it: the flag, its variable and its default. */
    record Row(String flag, String env, String defaultText) {
    }

    private static final Pattern HELP_ENTRY =
            Pattern.compile("^--([\\w-]+).* \\[([^\\]]+)\\] \\(default (.+)\\)$");
    private static final Pattern README_FLAG = Pattern.compile("^`--([\\w-]+)`");

    @Test
    void helpAndReadmeListTheSameSettings() throws IOException {
        Captured result = Captured.run("serve", "--help");
        assertEquals(ExitStatus.OK, result.status());
        List<Row> help = helpRows(result.out());
        assertTrue(help.size() > 20, "every setting is listed:\n" + result.out());
        List<Row> readme = readmeRows(Files.readString(Path.of("README.md")));
        for (int i = 0; i < Math.min(readme.size(), help.size()); i++) {
            assertEquals(readme.get(i), help.get(i), "row " + (i + 1) + " of README's settings table (## Settings)"
                    + " and entry " + (i + 1) + " of serve --help");
        }
        assertEquals(readme.size(), help.size(), "settings in README's table and in serve --help");
    }

    @Test
    void helpFitsATerminal() {
        for (String line : Captured.run("serve", "--help").out().lines().toList()) {
            assertTrue(line.length() <= 118, "longer than 118 characters: " + line);
        }
    }

    /** Each entry starts with "  --flag" and runs until the next one or a heading, its lines joined. */
    private static List<Row> helpRows(String help) {
        List<String> entries = new ArrayList<>();
        for (String line : help.lines().toList()) {
            if (line.startsWith("  --")) {
                entries.add(line.strip());
            } else if (line.startsWith("    ") && !entries.isEmpty()) {
                entries.set(entries.size() - 1, entries.getLast() + " " + line.strip());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String entry : entries) {
            Matcher m = HELP_ENTRY.matcher(entry);
            assertTrue(m.matches(), "an entry without [VARIABLE] (default ...) at its end: " + entry);
            rows.add(new Row(m.group(1), m.group(2), m.group(3)));
        }
        return rows;
    }

    private static List<Row> readmeRows(String readme) {
        int table = readme.indexOf("\n| flag | env | default | meaning |");
        assertTrue(table > 0 && readme.lastIndexOf("## Settings", table) > 0, "README's settings table");
        List<Row> rows = new ArrayList<>();
        for (String line : readme.substring(table + 1).lines().skip(2).toList()) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.split("(?<!\\\\)\\|");
            Matcher flag = README_FLAG.matcher(cells[1].strip());
            assertTrue(flag.find(), "a row without a flag: " + line);
            rows.add(new Row(flag.group(1), plain(cells[2]), plain(cells[3])));
        }
        return rows;
    }

    private static String plain(String cell) {
        return cell.replace("`", "").strip();
    }
}
