// A file opened for appending whole lines: one write call per append, so lines of several tasks never interleave.
package example;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

final class LineFile implements AutoCloseable {
    private final FileOutputStream out;

    LineFile(String path) {
        try {
            out = new FileOutputStream(path, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // `lines` ends with a newline; it is written in one call.
    void append(String lines) {
        try {
            out.write(lines.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            // closing at shutdown: nothing left to save
        }
    }
}
