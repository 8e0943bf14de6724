package io.agentchat.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a partial last line of the inbox before anything is appended to it. A previous process
 * may have died mid-line (disk full, SIGKILL during a huge write), or a write of ours may have
 * failed half-way; without the newline the next frame would glue onto the fragment. Readers skip
 * the broken line.
 */
final class PartialLineRepair {

    private static final Logger LOG = LoggerFactory.getLogger(PartialLineRepair.class);

    private PartialLineRepair() {
    }

    /**
     * Appends {@code \n} through {@code append} (open on {@code file} for appending, positioned at
     * {@code size}) when the file does not end with one; returns the file's size afterwards.
     */
    static long terminate(FileChannel append, Path file, long size) throws IOException {
        if (size == 0 || endsWithNewline(file, size)) {
            return size;
        }
        append.write(ByteBuffer.wrap(new byte[] {'\n'}));
        LOG.warn("Inbox ended with a partial line; terminated it");
        return size + 1;
    }

    private static boolean endsWithNewline(Path file, long size) throws IOException {
        try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            return read.read(one, size - 1) == 1 && one.get(0) == '\n';
        }
    }
}
