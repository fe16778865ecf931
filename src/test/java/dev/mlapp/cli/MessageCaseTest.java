package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Error messages start the way most of them do: in lower case, as the rest of a line that the program's name or
 * an error code begins ({@code ml-app: cannot start: …}, {@code {"error": "invalid_image", "message": "the JPEG
 * image is corrupt…"}}), with no full stop. A message may start with a name that is spelt with capitals
 * ({@code TensorFlow}, {@code SavedModel}, {@code LOG_LEVEL}, {@code Content-Type}), never with a capitalised word.
 * Read from the sources, so a new message is held to it too.
 */
class MessageCaseTest {

    /** The first string literal of an exception or HTTP error: its message, or the start of it. */
    private static final Pattern MESSAGE = Pattern.compile(
            "(?:new \\w*(?:Exception|Error)\\((?:\\s*[\\w.]+\\.Kind\\.\\w+,|\\s*Kind\\.\\w+,|\\s*\\d+,\\s*\"[a-z_]+\",)?"
                    + "|retryLater\\(\"[a-z_]+\",)\\s*\"([^\"]*)\"");
    /** Capitalised words that are names here: Keras classes. */
    private static final Set<String> NAMES = Set.of("Sequential", "Functional", "Keras", "Lambda");

    @Test
    void everyErrorMessageStartsInLowerCaseOrWithAName() throws IOException {
        List<String> offending = new ArrayList<>();
        int messages = 0;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = MESSAGE.matcher(Files.readString(file));
                while (m.find()) {
                    messages++;
                    String message = m.group(1);
                    String firstWord = message.split("[\\s:;,(]", 2)[0];
                    boolean capitalisedWord = firstWord.matches("[A-Z][a-z]+");
                    if ((capitalisedWord && !NAMES.contains(firstWord)) || message.matches(".*[^.]\\.$")) {
                        offending.add(file.getFileName() + ": \"" + message + "\"");
                    }
                }
            }
        }
        assertTrue(messages > 100, "the scan finds the messages (" + messages + ")");
        assertEquals(List.of(), offending);
    }
}
