package io.framewire.bench;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Issue 25's attacks (byte budgets, cost, slots, advice, labels, claims) against a running framewire,
 * each beside a victim stream that sends messi5.jpg at 4 fps from its own address (127.0.0.2: the
 * per-address caps are the attacker's, not the victim's), one table row per attack: heap and direct
 * memory (before / peak / after), the victim's answers (>= 90 %, p99 <= 250 ms), what the attacker got.
 * Attackers connect from 127.0.0.1 and, where an attack is about bytes and not slots, from
 * 127.0.1.x (a few addresses, as a botnet would). bench/attacks.sh starts the servers.
 *
 * java -jar bench/target/framewire-bench.jar attacks25 PORT ADMIN_PORT SERVER_PID SECRET VICTIM_JPEG PHASE [REDIS_PID REDIS_PORT]
 */
@Command(name = "attacks25", usageHelpAutoWidth = true,
        description = "Issue 25's attacks against a running framewire, each beside a victim stream; prints a table. "
            + "PHASE local: C1, C2, D1, D2, D3, M1, J1 (no Redis); redis: C3, C4 (the server has --redis).")
public class Attacks25 implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Parameters(index = "0") int portArg;
    @Parameters(index = "1") int adminArg;
    @Parameters(index = "2") long pidArg;
    @Parameters(index = "3") String secretArg;
    @Parameters(index = "4") Path victimArg;
    @Parameters(index = "5", description = "local or redis") String phase;
    @Parameters(index = "6", arity = "0..1") Long redisPid;
    @Parameters(index = "7", arity = "0..1") Integer redisPort;

    static final List<String[]> rows = new ArrayList<>();
    static List<byte[]> mosaics;

    @Override
    public Integer call() throws Exception {
        Attacks.port = portArg;
        Attacks.admin = adminArg;
        Attacks.pid = pidArg;
        Attacks.secret = secretArg;
        Attacks.victimFrame = Files.readAllBytes(victimArg);
        Attacks.token = Attacks.jwt(System.currentTimeMillis() / 1000 + 3600, true);
        mosaics = mosaics(Attacks.victimFrame, 8);
        System.err.printf("mosaic: %d variants of %d KB%n", mosaics.size(), mosaics.get(0).length / 1000);
        if (phase.equals("local")) {
            run("C1 mosaic publisher + 400 watchers never reading", Attacks25::nonReadingWatchers);
            run("C2 6 mosaic streams watched, leave, twice (no Redis)", Attacks25::watchLogs);
            run("D1 6 mosaic streams beside 6 ordinary", Attacks25::mosaicsBesideOrdinary);
            run("D2 2000 idle sockets from one IP, text keep-alives", Attacks25::squat);
            run("D3 400 streams, one empty message every 4 s", Attacks25::advice);
            run("M1 2000 client-chosen close codes", Attacks25::closeCodes);
            run("J1 token with fw.publish [null]", Attacks25::claim);
        } else {
            run("C3 Redis SIGSTOPped, watched mosaic stream", () -> redisHang(redisPid));
            run("C4 6 mosaic streams watched, leave (Redis)", () -> redisMemory(redisPort));
        }
        String[] head = {"attack", "heap MB before/peak/after", "direct MB before/peak/after", "victim answers", "attacker got", "verdict"};
        Attacks.printTable(head, rows);
        boolean alive = ProcessHandle.of(Attacks.pid).map(ProcessHandle::isAlive).orElse(false);
        System.out.println("server alive at the end: " + alive);
        return alive && rows.stream().allMatch(r -> r[5].equals("PASS")) ? 0 : 1;
    }

    /** A latency, or "lost" where the quantile falls on frames never answered within a second. */
    static String ms(long v) {
        return v == Long.MAX_VALUE ? "lost" : Long.toString(v);
    }

    record Outcome(String attacker, boolean ok) {}

    interface Attack {
        Outcome run() throws Exception;
    }

    static void run(String name, Attack attack) {
        System.err.println("== " + name);
        long heap0 = heapMb(), dir0 = Attacks.directMb();
        AtomicLong heapPeak = new AtomicLong(heap0), dirPeak = new AtomicLong(dir0);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                heapPeak.accumulateAndGet(heapMb(), Math::max);
                dirPeak.accumulateAndGet(Attacks.directMb(), Math::max);
                Attacks.sleep(250);
            }
        });
        Victim victim;
        try {
            victim = new Victim();
        } catch (IOException e) {
            rows.add(new String[] {name, "-", "-", "-", "victim could not connect: " + e, "FAIL"});
            sampling.set(false);
            return;
        }
        Outcome o;
        try {
            o = attack.run();
        } catch (Exception e) {
            o = new Outcome("error: " + e, false);
        }
        victim.stop();
        sampling.set(false);
        try {
            sampler.join();
        } catch (InterruptedException ignored) {
            // the row is written anyway
        }
        Attacks.sleep(2000);
        long heap1 = heapMb(), dir1 = Attacks.directMb();
        boolean alive = ProcessHandle.of(Attacks.pid).map(ProcessHandle::isAlive).orElse(false);
        double share = victim.sent.get() == 0 ? 0 : (double) victim.answered.get() / victim.sent.get();
        boolean victimOk = share >= 0.9 && victim.p(0.99) <= 250;
        String victimText = String.format("%d/%d (%.0f %%), p50 %s, p99 %s ms", victim.answered.get(), victim.sent.get(),
                share * 100, ms(victim.p(0.5)), ms(victim.p(0.99)));
        String[] row = {name, heap0 + " / " + heapPeak.get() + " / " + heap1, dir0 + " / " + dirPeak.get() + " / " + dir1,
                victimText, o.attacker(), alive && o.ok() && victimOk ? "PASS" : "FAIL"};
        rows.add(row);
        System.err.println("   " + String.join(" | ", row));
    }

    // ---- the mosaic: a face from the victim's picture, tiled, each variant with its own sensor noise

    static List<byte[]> mosaics(byte[] jpeg, int variants) throws IOException {
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(jpeg));
        // messi5.jpg (548x342): the face at about (200, 60, 80, 90) in OpenCV's samples; clamp for another picture
        int fx = Math.min(200, src.getWidth() - 80), fy = Math.min(60, src.getHeight() - 90);
        BufferedImage face = src.getSubimage(fx, fy, 80, 90);
        int tileW = 40, tileH = 45, cols = 32, rowsN = 28; // 1280 x 1260: 896 faces of 40 px
        List<byte[]> out = new ArrayList<>();
        Random noise = new Random(25);
        for (int v = 0; v < variants; v++) {
            BufferedImage m = new BufferedImage(tileW * cols, tileH * rowsN, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = m.createGraphics();
            for (int r = 0; r < rowsN; r++) {
                for (int c = 0; c < cols; c++) {
                    g.drawImage(face, c * tileW, r * tileH, tileW, tileH, null);
                }
            }
            g.dispose();
            byte[] px = ((DataBufferByte) m.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) Math.clamp((px[i] & 0xFF) + noise.nextInt(7) - 3, 0, 255); // a camera never sends the same bytes twice
            }
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            ImageIO.write(m, "jpg", b);
            out.add(b.toByteArray());
        }
        return out;
    }

    /** A publisher of mosaics at {@code fps}, reading its answers (counting their bytes and detections) until stopped. */
    static final class Mosaic implements AutoCloseable {
        final Attacks.Raw ws;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong bytes = new AtomicLong(), answers = new AtomicLong(), detections = new AtomicLong(), omitted = new AtomicLong();
        final Thread sender, reader;

        Mosaic(String stream, String source, double fps) throws IOException {
            ws = open("/ws/streams/" + stream, source, 0);
            sender = Thread.ofVirtual().start(() -> {
                int i = 0;
                while (running.get()) {
                    try {
                        ws.send(true, 0x2, mosaics.get(i++ % mosaics.size()));
                    } catch (IOException e) {
                        return;
                    }
                    Attacks.sleep((long) (1000 / fps));
                }
            });
            reader = Thread.ofVirtual().start(() -> {
                Pattern om = Pattern.compile("\"detections_omitted\":(\\d+)");
                try {
                    while (true) {
                        Attacks.Frame f = ws.read();
                        if (f.opcode() == 0x1) {
                            String t = new String(f.payload(), StandardCharsets.UTF_8);
                            if (t.startsWith("{\"type\":\"result\"")) {
                                answers.incrementAndGet();
                                bytes.addAndGet(f.payload().length);
                                detections.addAndGet(count(t, "\"label\""));
                                Matcher m = om.matcher(t);
                                if (m.find()) {
                                    omitted.addAndGet(Long.parseLong(m.group(1)));
                                }
                            }
                        }
                    }
                } catch (IOException done) {
                    // closed
                }
            });
        }

        String summary() {
            long n = Math.max(1, answers.get());
            return String.format("%d answers, %d det + %d omitted/answer, %.0f KB/answer", answers.get(),
                    detections.get() / n, omitted.get() / n, bytes.get() / 1000.0 / n);
        }

        @Override
        public void close() {
            running.set(false);
            ws.close();
        }
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static String attacker(int i) {
        return "127.0.1." + (1 + i % 50);
    }

    // ---- the attacks

    static Outcome nonReadingWatchers() throws Exception {
        List<Attacks.Raw> watchers = new ArrayList<>();
        try (Mosaic m = new Mosaic("mosaic-c1", "127.0.0.1", 4)) {
            for (int i = 0; i < 400; i++) {
                watchers.add(open("/ws/watch/mosaic-c1", attacker(i), 4096));
            }
            Attacks.sleep(30_000);
            double dropped = Attacks.metric("framewire_output_dropped_total");
            double pending = Attacks.metric("framewire_output_pending_bytes");
            int closed = 0;
            for (Attacks.Raw w : watchers) {
                Attacks.Frame f = w.closeFrame(50);
                if (f != null && f.closeCode() == 1008) {
                    closed++;
                }
            }
            return new Outcome(String.format("%s; %.0f msgs dropped, %d of 400 got 1008; pending %.1f MB", m.summary(),
                    dropped, closed, pending / 1e6), m.answers.get() > 0);
        } finally {
            watchers.forEach(Attacks.Raw::close);
        }
    }

    static Outcome watchLogs() throws Exception {
        double peak = 0;
        for (int burst = 0; burst < 2; burst++) {
            List<Mosaic> ms = new ArrayList<>();
            List<Attacks.Raw> watchers = new ArrayList<>();
            try {
                for (int s = 0; s < 6; s++) {
                    watchers.add(open("/ws/watch/log-" + burst + "-" + s, attacker(s), 0)); // kept from now on
                    ms.add(new Mosaic("log-" + burst + "-" + s, attacker(s), 4));
                }
                Thread.ofVirtual().start(() -> watchers.forEach(Attacks25::discard));
                Attacks.sleep(25_000);
                peak = Math.max(peak, Attacks.metric("framewire_results_kept_bytes"));
            } finally {
                ms.forEach(Mosaic::close);
                watchers.forEach(Attacks.Raw::close);
            }
        }
        Attacks.sleep(2000);
        double kept = Attacks.metric("framewire_results_kept_bytes");
        double notKept = Attacks.metric("framewire_results_not_kept");
        return new Outcome(String.format("logs held %.1f MB at peak, %.1f MB after (cap 256 MiB); %.0f delivered but not kept",
                peak / 1e6, kept / 1e6, notKept), kept <= 256 << 20);
    }

    static void discard(Attacks.Raw r) {
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    r.read();
                }
            } catch (IOException done) {
                // closed
            }
        });
    }

    static Outcome mosaicsBesideOrdinary() throws Exception {
        List<Mosaic> ms = new ArrayList<>();
        List<Victim> ordinary = new ArrayList<>();
        try {
            for (int s = 0; s < 6; s++) {
                ms.add(new Mosaic("heavy-" + s, attacker(s), 10));
            }
            for (int s = 0; s < 6; s++) {
                ordinary.add(new Victim("127.0.0." + (10 + s)));
            }
            Attacks.sleep(30_000);
        } finally {
            ms.forEach(Mosaic::close);
            ordinary.forEach(Victim::stop);
        }
        long sent = ordinary.stream().mapToLong(v -> v.sent.get()).sum();
        long answered = ordinary.stream().mapToLong(v -> v.answered.get()).sum();
        long mosaicAnswers = ms.stream().mapToLong(m -> m.answers.get()).sum();
        long p50 = ordinary.stream().mapToLong(v -> v.p(0.5)).max().orElse(-1);
        return new Outcome(String.format("ordinary streams %d/%d (%.0f %%, worst p50 %s ms); mosaics %s, %d answers in all",
                answered, sent, 100.0 * answered / Math.max(1, sent), ms(p50), ms.get(0).summary(), mosaicAnswers),
                answered >= 0.9 * sent);
    }

    static Outcome squat() throws Exception {
        List<Socket> socks = new ArrayList<>();
        int upgraded = 0, refused429 = 0;
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                s.connect(new InetSocketAddress("127.0.0.1", Attacks.port), 5000);
                s.setSoTimeout(5000);
                String head = Attacks.handshake(s, "/ws/streams/squat-" + i, Attacks.auth());
                if (head.startsWith("HTTP/1.1 101")) {
                    upgraded++;
                    socks.add(s);
                } else {
                    if (head.startsWith("HTTP/1.1 429")) {
                        refused429++;
                    }
                    s.close();
                }
            }
            double opened = (System.nanoTime() - t0) / 1e9;
            int ready = Attacks.http(Attacks.port, "/readyz");
            // one text message per idle period: no longer activity
            for (int round = 0; round < 4; round++) {
                for (Socket s : socks) {
                    try {
                        s.getOutputStream().write(Attacks.frame(true, 0x1, "{}".getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException closed) {
                        // closed by the server
                    }
                }
                Attacks.sleep(10_000);
            }
            double active = Attacks.metric("framewire_streams_active");
            return new Outcome(String.format("%d upgraded, %d got 429 (in %.1f s); /readyz %d; %.0f squatters left after 40 s",
                    upgraded, refused429, opened, ready, Math.max(0, active - 1)), ready == 200 && upgraded <= 256 && active <= 2);
        } finally {
            for (Socket s : socks) {
                s.close();
            }
        }
    }

    static Outcome advice() throws Exception {
        double before = Victim.lastAdvice;
        List<Attacks.Raw> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                conns.add(open("/ws/streams/empty-" + i, attacker(i), 0));
            }
            conns.forEach(Attacks25::discard);
            for (int round = 0; round < 6; round++) {
                for (Attacks.Raw r : conns) {
                    r.send(true, 0x2, new byte[0]);
                }
                Attacks.sleep(4000);
            }
            double during = Victim.lastAdvice;
            return new Outcome(String.format("victim's advice.fps %.1f before, %.1f after 24 s of it", before, during),
                    during >= 0.5 * before);
        } finally {
            conns.forEach(Attacks.Raw::close);
        }
    }

    static Outcome closeCodes() throws Exception {
        int before = Attacks.http(Attacks.admin, "/metrics");
        long size0 = metricsSize();
        for (int i = 0; i < 2000; i++) {
            int code = 3000 + i;
            try (Attacks.Raw r = open("/ws/streams/codes-" + i, attacker(i), 0)) {
                r.send(true, 0x8, new byte[] {(byte) (code >> 8), (byte) code});
                r.closeFrame(1000);
            }
        }
        Attacks.sleep(1000);
        long size1 = metricsSize();
        double other = Attacks.metric("framewire_ws_closes_total{code=\"other\"}");
        return new Outcome(String.format("/metrics %.1f -> %.1f KB; code=\"other\" %.0f", size0 / 1e3, size1 / 1e3, other),
                before == 200 && size1 - size0 < 5_000 && other >= 1900);
    }

    static long metricsSize() throws Exception {
        try (var c = java.net.http.HttpClient.newHttpClient()) {
            return c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + Attacks.admin + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body().length();
        }
    }

    static Outcome claim() throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        List<String> answers = new ArrayList<>();
        for (String shape : List.of("[null]", "42", "{\"a\":1}", "[1]", "[[\"x\"]]")) {
            String claims = "{\"sub\":\"attacker\",\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + ",\"fw.publish\":" + shape + "}";
            String body = header + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Attacks.secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String jwt = body + "." + b64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
            answers.add(Attacks.upgradeHead("/ws/streams/claims", "Authorization: Bearer " + jwt + "\r\n").split(" ")[1]);
        }
        return new Outcome("[null], 42, {}, [1], [[x]]: " + String.join(",", answers), answers.stream().allMatch("401"::equals));
    }

    static Outcome redisHang(long redisPid) throws Exception {
        List<Attacks.Raw> watchers = new ArrayList<>();
        try (Mosaic m = new Mosaic("hang-c3", "127.0.0.1", 10)) {
            for (int i = 0; i < 3; i++) {
                watchers.add(open("/ws/watch/hang-c3", attacker(i), 0));
            }
            watchers.forEach(Attacks25::discard);
            Attacks.sleep(3000);
            new ProcessBuilder("kill", "-STOP", Long.toString(redisPid)).start().waitFor();
            double peakQueue = 0;
            for (int i = 0; i < 30; i++) {
                Attacks.sleep(1000);
                peakQueue = Math.max(peakQueue, Attacks.metric("framewire_redis_publish_queue_bytes"));
            }
            double dropped = Attacks.metric("framewire_redis_results_dropped_total");
            new ProcessBuilder("kill", "-CONT", Long.toString(redisPid)).start().waitFor();
            return new Outcome(String.format("30 s stopped: queue peak %.1f MB (cap 64 MiB), %.0f results dropped for watchers; %s",
                    peakQueue / 1e6, dropped, m.summary()), peakQueue <= 64 << 20);
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(redisPid)).start().waitFor();
            watchers.forEach(Attacks.Raw::close);
        }
    }

    static Outcome redisMemory(int redisPort) throws Exception {
        List<Mosaic> ms = new ArrayList<>();
        List<Attacks.Raw> watchers = new ArrayList<>();
        try {
            for (int s = 0; s < 6; s++) {
                watchers.add(open("/ws/watch/redis-" + s, attacker(s), 0));
                ms.add(new Mosaic("redis-" + s, attacker(s), 4));
            }
            watchers.forEach(Attacks25::discard);
            Attacks.sleep(40_000);
        } finally {
            ms.forEach(Mosaic::close);
            watchers.forEach(Attacks.Raw::close);
        }
        long used = redisUsedMemory(redisPort);
        return new Outcome(String.format("Redis used_memory %.1f MB after 40 s of 6 streams (cap 6 x 8 MiB + overhead)", used / 1e6),
                used < 6L * (8 << 20) + (16 << 20));
    }

    static long redisUsedMemory(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("INFO memory\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(5000);
            byte[] buf = new byte[8192];
            int n = s.getInputStream().read(buf);
            Matcher m = Pattern.compile("used_memory:(\\d+)").matcher(new String(buf, 0, Math.max(0, n), StandardCharsets.US_ASCII));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }
    }

    // ---- connections from a chosen source address, and the victim

    static Attacks.Raw open(String path, String source, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.bind(new InetSocketAddress(source, 0));
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", Attacks.port), 5000);
        s.setSoTimeout(15_000);
        String head = Attacks.handshake(s, path, Attacks.auth());
        if (!head.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
        }
        return new Attacks.Raw(s);
    }

    static long heapMb() {
        try {
            double young = Attacks.metric("jvm_memory_used_bytes{area=\"heap\"}");
            return Math.round(young / (1 << 20));
        } catch (Exception e) {
            return -1;
        }
    }

    /** A camera at 4 fps from its own address, following nothing but its frames; each answered within a second or lost. */
    static final class Victim {
        static volatile double lastAdvice = -1;
        final AtomicInteger sent = new AtomicInteger(), answered = new AtomicInteger();
        final List<Long> ms = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean running = new AtomicBoolean(true);
        final Attacks.Raw ws;
        final Thread thread;

        Victim() throws IOException {
            this("127.0.0.2");
        }

        Victim(String source) throws IOException {
            ws = open("/ws/streams/victim-" + System.nanoTime(), source, 0);
            ws.soTimeout(1000);
            thread = Thread.ofPlatform().start(this::loop);
        }

        void loop() {
            Pattern seqField = Pattern.compile("\"seq\":(\\d+)");
            Pattern adviceField = Pattern.compile("\"advice\":\\{\"fps\":([0-9.]+)");
            while (running.get()) {
                long t0 = System.nanoTime();
                long seq = sent.getAndIncrement();
                try {
                    ws.send(true, 0x2, Attacks.victimFrame);
                    while (System.nanoTime() - t0 < 1_000_000_000L) {
                        Attacks.Frame f = ws.read();
                        String t = new String(f.payload(), StandardCharsets.UTF_8);
                        Matcher a = adviceField.matcher(t);
                        if (a.find()) {
                            lastAdvice = Double.parseDouble(a.group(1));
                        }
                        Matcher m = seqField.matcher(t);
                        if (f.opcode() == 0x1 && m.find() && Long.parseLong(m.group(1)) == seq) {
                            answered.incrementAndGet();
                            ms.add((System.nanoTime() - t0) / 1_000_000);
                            break;
                        }
                    }
                } catch (IOException e) {
                    if (ws.socket.isClosed()) {
                        return;
                    }
                }
                long left = 250 - (System.nanoTime() - t0) / 1_000_000;
                if (left > 0) {
                    Attacks.sleep(left);
                }
            }
        }

        void stop() {
            running.set(false);
            try {
                thread.join(3000);
            } catch (InterruptedException ignored) {
                // closing anyway
            }
            ws.close();
        }

        long p(double q) {
            List<Long> c;
            synchronized (ms) {
                c = new ArrayList<>(ms);
            }
            Collections.sort(c);
            // a frame never answered counts as slower than any answered one
            int lost = sent.get() - c.size();
            int rank = (int) Math.ceil(q * (c.size() + lost)) - 1;
            return c.isEmpty() || rank >= c.size() ? Long.MAX_VALUE : c.get(Math.max(0, rank));
        }
    }
}
