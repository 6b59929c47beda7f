package io.framewire.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bare WebSocket upgrade request over a socket, to see the server's exact answer: 101 when a
 * WebSocket opens, an HTTP error status when it is refused.
 */
public final class Upgrade {

    public record Answer(int status, Map<String, String> headers) {}

    private Upgrade() {}

    public static Answer request(int port, String pathAndQuery, Map<String, String> headers) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(requestBytes(port, pathAndQuery, headers));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String statusLine = in.readLine();
            if (statusLine == null) {
                throw new IllegalStateException("no answer to the upgrade");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> answer = new LinkedHashMap<>();
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                int colon = line.indexOf(':');
                answer.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
            }
            return new Answer(status, answer);
        }
    }

    /** The upgrade request itself, for a test that writes more behind it on the same socket. */
    public static byte[] requestBytes(int port, String pathAndQuery, Map<String, String> headers) {
        StringBuilder req = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        return req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
