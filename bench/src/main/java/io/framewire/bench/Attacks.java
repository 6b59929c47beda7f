package io.framewire.bench;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Issue 12's attacks against a running framewire (bench/attacks.sh starts it with the shipped JVM
 * options), each beside a victim stream, one table row per attack. JDK only: raw sockets, frames
 * written by hand, HS256 tokens minted with javax.crypto.
 *
 * java -jar bench/target/framewire-bench.jar attacks PORT ADMIN_PORT SERVER_PID SECRET SERVER_LOG VICTIM_JPEG
 */
@Command(name = "attacks", usageHelpAutoWidth = true,
        description = "Issue 12's attacks against a running framewire, each beside a victim stream; prints a table " +
            "(memory before/peak/after, the victim's answers, what the attacker got, a verdict). bench/attacks.sh " +
            "starts the server (authentication on) and runs this. Exit status 0 when every row passes.")
public class Attacks implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Parameters(index = "0", paramLabel = "PORT", description = "the server's WebSocket port")
    int portArg;
    @Parameters(index = "1", paramLabel = "ADMIN_PORT", description = "the server's admin port (/metrics)")
    int adminArg;
    @Parameters(index = "2", paramLabel = "SERVER_PID", description = "the server's process id (RSS from /proc)")
    long pidArg;
    @Parameters(index = "3", paramLabel = "SECRET", description = "the HS256 secret the server verifies tokens with")
    String secretArg;
    @Parameters(index = "4", paramLabel = "SERVER_LOG", description = "the server's log file (tokens must not show in it)")
    Path serverLogArg;
    @Parameters(index = "5", paramLabel = "VICTIM_JPEG", description = "the frame the victim stream sends")
    Path victimArg;

    static int port, admin;
    static long pid;
    static String secret, token;
    static Path serverLog;
    static byte[] victimFrame;
    static final List<String[]> rows = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        port = portArg;
        admin = adminArg;
        pid = pidArg;
        secret = secretArg;
        serverLog = serverLogArg;
        victimFrame = Files.readAllBytes(victimArg);
        token = jwt(System.currentTimeMillis() / 1000 + 3600, true);

        run("H1 ping flood, never reads", Attacks::pingFlood);
        run("H2 1-byte fragments x100 conns", Attacks::fragments);
        run("H2 frame memory cap (150 x 4 MiB)", Attacks::frameCap);
        run("M1 permessage-deflate offered", Attacks::deflate);
        run("M2 2 streams of 4096x2048 noise", Attacks::hugeFrames);
        run("M3 tokens in logs, exp 10^15", Attacks::tokens);
        run("M4 GET /status, auth on", Attacks::status);
        run("M5 watch+publish 100 made-up ids x3", Attacks::madeUpIds);
        run("L1 malformed paths", Attacks::malformedPaths);
        run("L2 50 watchers (watchers.max 40)", Attacks::watchers);
        run("L3 200 header trickles", Attacks::trickle);

        printTable(new String[] {"attack", "RSS MB before/peak/after", "direct MB before/peak/after", "victim answers",
                "attacker got", "verdict"}, rows);
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        System.out.println("server alive at the end: " + alive);
        return alive && rows.stream().allMatch(r -> r[5].equals("PASS")) ? 0 : 1;
    }

    /** {@code rows} under {@code head} as a Markdown table on stdout, each column as wide as its widest cell. */
    static void printTable(String[] head, List<String[]> rows) {
        int[] w = new int[head.length];
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(rows);
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : all) {
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < r.length; i++) {
                line.append(' ').append(String.format("%-" + w[i] + "s", r[i])).append(" |");
            }
            System.out.println(line);
            if (r == head) {
                StringBuilder sep = new StringBuilder("|");
                for (int x : w) {
                    sep.append(' ').append("-".repeat(x)).append(" |");
                }
                System.out.println(sep);
            }
        }
    }

    /** What an attack reports: the attacker's outcome, whether it met the bar, and the victim's minimum share. */
    record Outcome(String attacker, boolean ok, double victimBar, long victimP50Bar) {
        Outcome(String attacker, boolean ok) {
            this(attacker, ok, 0.8, Long.MAX_VALUE);
        }
    }

    interface Attack {
        Outcome run() throws Exception;
    }

    static void run(String name, Attack attack) {
        System.err.println("== " + name);
        long rss0 = rssMb(), dir0 = directMb();
        AtomicLong rssPeak = new AtomicLong(rss0), dirPeak = new AtomicLong(dir0);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                rssPeak.accumulateAndGet(rssMb(), Math::max);
                dirPeak.accumulateAndGet(directMb(), Math::max);
                sleep(250);
            }
        });
        Victim victim;
        try {
            victim = new Victim();
        } catch (IOException e) {
            rows.add(new String[] {name, "-", "-", "-", "victim could not connect: " + e, "FAIL"});
            sampling.set(false); // else its sampler samples for the rest of the run (Attacks25 already stops it)
            return;
        }
        Outcome o;
        try {
            o = attack.run();
        } catch (Exception e) {
            o = new Outcome("error: " + e, false);
        }
        double share = victim.stop();
        sampling.set(false);
        try {
            sampler.join();
        } catch (InterruptedException ignored) {
            // the row is written anyway
        }
        sleep(1000);
        long rss1 = rssMb(), dir1 = directMb();
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        boolean victimOk = victim.sent.get() == 0 || (share >= o.victimBar() && victim.p50() <= o.victimP50Bar());
        String victimText = victim.sent.get() == 0 ? "-" : String.format("%d/%d (%.0f %%), p50 %d ms",
                victim.answered.get(), victim.sent.get(), share * 100, victim.p50());
        String[] row = {name, rss0 + " / " + rssPeak.get() + " / " + rss1, dir0 + " / " + dirPeak.get() + " / " + dir1,
                victimText, o.attacker(), alive && o.ok() && victimOk ? "PASS" : "FAIL"};
        rows.add(row);
        System.err.println("   " + String.join(" | ", row)); // as it happens: the table comes at the end
    }

    // ---- the attacks

    static Outcome pingFlood() throws Exception {
        byte[] pings = repeat(frame(true, 0x9, new byte[0]), 10_922);
        long sent = 0;
        try (Raw ws = Raw.open("/ws/streams/pinger", auth(), 4096)) {
            try {
                while (sent < (128L << 20)) {
                    ws.out.write(pings);
                    sent += pings.length;
                }
            } catch (IOException closed) {
                return new Outcome(String.format("dropped after %.1f MB of pings", sent / 1e6), true);
            }
        }
        return new Outcome("still open after 128 MB", false);
    }

    static Outcome fragments() throws Exception {
        List<Raw> conns = new ArrayList<>();
        try {
            for (int c = 0; c < 100; c++) {
                Raw r = Raw.open(c % 10 == 0 ? "/ws/watch/frag-" + c : "/ws/streams/frag-" + c, auth(), 0);
                conns.add(r);
                r.send(false, 0x2, new byte[] {1});
            }
            for (int round = 0; round < 150; round++) {
                for (Raw r : conns) {
                    r.send(false, 0x0, new byte[] {1});
                }
                sleep(20);
            }
            long during = directMb();
            return new Outcome(String.format("15,000 fragments held; direct %d MB while open", during), during < 256);
        } finally {
            conns.forEach(Raw::close);
        }
    }

    static Outcome frameCap() throws Exception {
        List<Raw> conns = new ArrayList<>();
        byte[] part = new byte[1 << 20];
        int refused = 0;
        try {
            for (int c = 0; c < 150; c++) {
                Raw r = Raw.open("/ws/streams/hog-" + c, auth(), 0);
                conns.add(r);
                try {
                    r.send(false, 0x2, part);
                    for (int i = 0; i < 3; i++) {
                        r.send(false, 0x0, part);
                    }
                } catch (IOException e) {
                    refused++;
                }
            }
            for (Raw r : conns) {
                Frame close = r.closeFrame(300);
                if (close != null && close.closeCode() == 1013) {
                    refused++;
                }
            }
            return new Outcome(refused + " of 150 closed 1013 (out of frame memory)", refused > 0);
        } finally {
            conns.forEach(Raw::close);
        }
    }

    static Outcome deflate() throws Exception {
        String head = upgradeHead("/ws/streams/deflate", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" + auth());
        boolean upgraded = head.startsWith("HTTP/1.1 101");
        boolean extension = head.toLowerCase().contains("sec-websocket-extensions");
        return new Outcome(upgraded && !extension ? "101, no extension" : "extension: " + extension, upgraded && !extension);
    }

    static Outcome hugeFrames() throws Exception {
        byte[] noise = noiseJpeg();
        try (Raw a = Raw.open("/ws/streams/noise-a", auth(), 0); Raw b = Raw.open("/ws/streams/noise-b", auth(), 0)) {
            AtomicInteger answers = new AtomicInteger();
            for (Raw r : List.of(a, b)) {
                Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            if (r.read().opcode() == 0x1) {
                                answers.incrementAndGet();
                            }
                        }
                    } catch (IOException done) {
                        // closed
                    }
                });
            }
            for (int s = 0; s < 30; s++) {
                a.send(true, 0x2, noise);
                b.send(true, 0x2, noise);
                sleep(1000);
            }
            return new Outcome(String.format("%d answers to 60 frames of %.1f MB", answers.get(), noise.length / 1e6), true, 0.5, 1000);
        }
    }

    static Outcome tokens() throws Exception {
        List<String> paths = List.of("/ws/streams", "/ws/watch", "/ws/streams/", "/ws/streams/a/b", "/ws/streams/%00", "/ws/streams/dog");
        String canary = jwt(System.currentTimeMillis() / 1000 + 600, false); // grants nothing: 403s
        for (String p : paths) {
            upgradeHead(p + "?token=" + canary, "");
        }
        String forever = jwt(1_000_000_000_000_000L, true);
        String head = upgradeHead("/ws/streams/forever", "Authorization: Bearer " + forever + "\r\n");
        sleep(500);
        String sig = canary.substring(canary.lastIndexOf('.') + 1);
        boolean logged = Files.readString(serverLog).contains(sig);
        boolean refused = head.startsWith("HTTP/1.1 401");
        return new Outcome((logged ? "token IN the log" : "no token in the log") + "; exp 10^15: " + head.lines().findFirst().orElse(""),
                !logged && refused);
    }

    static Outcome status() throws Exception {
        int code = http(port, "/status");
        int onAdmin = http(admin, "/status");
        // 404 with admin.port set (served only there), 403 without it while auth is on
        return new Outcome("public " + code + ", admin port " + onAdmin, (code == 403 || code == 404) && onAdmin == 200);
    }

    static Outcome madeUpIds() throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Raw w = Raw.open("/ws/watch/ghost-" + i, auth(), 0); Raw p = Raw.open("/ws/streams/ghost-" + i, auth(), 0)) {
                w.read(); // watching
                for (int f = 0; f < 3; f++) {
                    p.send(true, 0x2, victimFrame);
                    p.read();
                }
            }
        }
        double kept = metric("framewire_results_kept");
        long deadline = System.currentTimeMillis() + 30_000;
        double left = kept;
        while (left > 0 && System.currentTimeMillis() < deadline) {
            sleep(500);
            left = metric("framewire_results_kept");
        }
        return new Outcome(String.format("results kept %.0f, then %.0f after results.retentionSec", kept, left), kept > 0 && left == 0);
    }

    static Outcome malformedPaths() throws Exception {
        List<String> paths = List.of("/ws/streams", "/ws/watch", "/ws/streams/", "/ws/streams/a/b", "/ws/streams/%00",
                "/ws/streams/" + "x".repeat(200), "/ws/watch/a%2Fb", "/ws/streams/..");
        List<String> answers = new ArrayList<>();
        for (String p : paths) {
            answers.add(upgradeHead(p, auth()).split(" ")[1]);
        }
        boolean all400 = answers.stream().allMatch("400"::equals);
        return new Outcome(paths.size() + " paths: " + String.join(",", answers), all400);
    }

    static Outcome watchers() throws Exception {
        List<Raw> conns = new ArrayList<>();
        int refused = 0; // HTTP 503 at the upgrade (watchers.max), or 1013 after a race for the last slot
        try {
            for (int i = 0; i < 50; i++) {
                try {
                    conns.add(Raw.open("/ws/watch/w-" + i, auth(), 0));
                } catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).contains(" 503 ")) {
                        throw e;
                    }
                    refused++;
                }
            }
            for (Raw r : conns) {
                Frame f = r.closeFrame(1500);
                if (f != null && f.closeCode() == 1013) {
                    refused++;
                }
            }
        } finally {
            conns.forEach(Raw::close);
        }
        return new Outcome(refused + " of 50 refused (503 at the upgrade or 1013)", refused == 10);
    }

    static Outcome trickle() throws Exception {
        List<Socket> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write("GET /ws/streams/slow HTTP/1.1\r\n".getBytes());
                conns.add(s);
            }
            long t0 = System.nanoTime();
            int closed = 0;
            while (closed < conns.size() && System.nanoTime() - t0 < 40_000_000_000L) {
                closed = 0;
                for (Socket s : conns) {
                    try {
                        s.getOutputStream().write("X-Slow: 1\r\n".getBytes());
                    } catch (IOException e) {
                        closed++;
                    }
                }
                sleep(2000);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Outcome(String.format("%d of 200 cut within %.0f s (a header line every 2 s)", closed, secs),
                    closed == conns.size() && secs < 20);
        } finally {
            for (Socket s : conns) {
                s.close();
            }
        }
    }

    // ---- the victim: a camera at 4 fps, each frame answered within a second or counted lost

    static final class Victim {
        final AtomicInteger sent = new AtomicInteger(), answered = new AtomicInteger();
        final List<Long> ms = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean running = new AtomicBoolean(true);
        final Raw ws;
        final Thread thread;

        Victim() throws IOException {
            ws = Raw.open("/ws/streams/victim-" + System.nanoTime(), auth(), 0);
            ws.soTimeout(1000);
            thread = Thread.ofPlatform().start(this::loop);
        }

        void loop() {
            Pattern seqField = Pattern.compile("\"seq\":(\\d+)");
            while (running.get()) {
                long t0 = System.nanoTime();
                long seq = sent.getAndIncrement();
                try {
                    ws.send(true, 0x2, victimFrame);
                    while (System.nanoTime() - t0 < 1_000_000_000L) {
                        Frame f = ws.read();
                        Matcher m = seqField.matcher(new String(f.payload(), StandardCharsets.UTF_8));
                        if (f.opcode() == 0x1 && m.find() && Long.parseLong(m.group(1)) == seq) {
                            answered.incrementAndGet();
                            ms.add((System.nanoTime() - t0) / 1_000_000);
                            break;
                        }
                    }
                } catch (IOException e) {
                    // timed out or closed: this frame is lost
                    if (!ws.socket.isConnected() || ws.socket.isClosed()) {
                        return;
                    }
                }
                long left = 250 - (System.nanoTime() - t0) / 1_000_000;
                if (left > 0) {
                    sleep(left);
                }
            }
        }

        double stop() {
            running.set(false);
            try {
                thread.join(3000);
            } catch (InterruptedException ignored) {
                // closing anyway
            }
            ws.close();
            return sent.get() == 0 ? 0 : (double) answered.get() / sent.get();
        }

        long p50() {
            List<Long> c;
            synchronized (ms) {
                c = new ArrayList<>(ms);
            }
            Collections.sort(c);
            return c.isEmpty() ? Long.MAX_VALUE : c.get(c.size() / 2);
        }
    }

    // ---- frames, upgrades, tokens

    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    static final class Raw implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        Raw(Socket s) throws IOException {
            socket = s;
            out = s.getOutputStream();
            in = new DataInputStream(s.getInputStream());
        }

        static Raw open(String path, String headers, int receiveBuffer) throws IOException {
            Socket s = new Socket();
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            String head = handshake(s, path, headers);
            if (!head.startsWith("HTTP/1.1 101")) {
                s.close();
                throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
            }
            return new Raw(s);
        }

        void send(boolean fin, int opcode, byte[] payload) throws IOException {
            out.write(frame(fin, opcode, payload));
            out.flush();
        }

        Frame read() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long n = b1 & 0x7F;
            if (n == 126) {
                n = in.readUnsignedShort();
            } else if (n == 127) {
                n = in.readLong();
            }
            byte[] p = new byte[(int) n];
            in.readFully(p);
            return new Frame(b0 & 0x0F, p);
        }

        /** The close frame within {@code millis}, skipping others; null if none. */
        Frame closeFrame(int millis) {
            try {
                socket.setSoTimeout(millis);
                while (true) {
                    Frame f = read();
                    if (f.opcode() == 0x8) {
                        return f;
                    }
                }
            } catch (IOException e) {
                return null;
            }
        }

        void soTimeout(int millis) throws IOException {
            socket.setSoTimeout(millis);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // gone already
            }
        }
    }

    static String handshake(Socket s, String path, String headers) throws IOException {
        String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + headers + "\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static String upgradeHead(String path, String headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            return handshake(s, path, headers);
        }
    }

    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        if (n < 126) {
            f.write(0x80 | n);
        } else if (n < 65_536) {
            f.write(0x80 | 126);
            f.write(n >>> 8);
            f.write(n);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) n >>> shift));
            }
        }
        f.writeBytes(new byte[4]); // mask key 0
        f.writeBytes(payload);
        return f.toByteArray();
    }

    static byte[] repeat(byte[] b, int times) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length * times);
        for (int i = 0; i < times; i++) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static String auth() {
        return "Authorization: Bearer " + token + "\r\n";
    }

    /** HS256 with the server's secret; {@code grants} false: a valid token that grants nothing. */
    static String jwt(long exp, boolean grants) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = String.format("{\"sub\":\"attacker\",\"exp\":%d%s}", exp,
                grants ? ",\"fw.publish\":[\"*\"],\"fw.watch\":[\"*\"]" : "");
        String body = header + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return body + "." + b64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
    }

    static byte[] noiseJpeg() throws IOException {
        BufferedImage noise = new BufferedImage(4096, 2048, BufferedImage.TYPE_3BYTE_BGR);
        new Random(12).nextBytes(((DataBufferByte) noise.getRaster().getDataBuffer()).getData());
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.5f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(noise, null, null), param);
        }
        writer.dispose();
        return out.toByteArray();
    }

    // ---- measurements

    static int http(int p, String path) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    static double metric(String sample) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            String text = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        }
    }

    static long directMb() {
        try {
            return Math.round(metric("jvm_buffer_pool_used_bytes{pool=\"direct\"}") / (1 << 20));
        } catch (Exception e) {
            return -1;
        }
    }

    static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return -1;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
