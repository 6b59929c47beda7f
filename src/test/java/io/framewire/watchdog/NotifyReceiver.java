package io.framewire.watchdog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * What systemd's notify socket would receive: an AF_UNIX datagram socket bound in a fresh temp
 * directory, every datagram kept in order. Give a server {@code NOTIFY_SOCKET=}{@link #path()}.
 */
public final class NotifyReceiver implements AutoCloseable {

    private final Path dir;
    private final Path path;
    private final AFUNIXDatagramChannel socket;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Thread reader;

    public NotifyReceiver() throws IOException {
        dir = Files.createTempDirectory("fw-notify"); // short: sun_path holds 108 bytes
        path = dir.resolve("notify.sock");
        socket = AFUNIXDatagramChannel.open();
        socket.bind(AFUNIXSocketAddress.of(path));
        reader = Thread.ofPlatform().name("notify-receiver").daemon().start(this::read);
    }

    private void read() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (socket.isOpen()) {
            buf.clear();
            try {
                socket.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!socket.isOpen()) {
                    return;
                }
                throw new IllegalStateException(e);
            }
            buf.flip();
            messages.add(StandardCharsets.UTF_8.decode(buf).toString());
        }
    }

    public String path() {
        return path.toString();
    }

    /** Every datagram so far, in arrival order. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** Datagrams so far with a line equal to {@code line} (e.g. {@code WATCHDOG=1}). */
    public long count(String line) {
        return messages.stream().filter(m -> m.lines().anyMatch(line::equals)).count();
    }

    /** Datagrams after the first {@code n} with a line starting with {@code prefix}. */
    public long countAfter(int n, String prefix) {
        List<String> all = messages();
        return all.subList(Math.min(n, all.size()), all.size()).stream()
                .filter(m -> m.lines().anyMatch(l -> l.startsWith(prefix))).count();
    }

    public int size() {
        return messages.size();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        reader.join(2000);
        Files.deleteIfExists(path);
        Files.deleteIfExists(dir);
    }
}
