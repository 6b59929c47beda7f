package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WsHandshakeTest {

    private final WsHandshake hs = new WsHandshake();

    private String ok(String accept) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
                + "sec-websocket-accept: " + accept + "\r\n\r\n";
    }

    @Test
    void requestIsAnUpgradeWithTheKey() {
        String req = StandardCharsets.US_ASCII.decode(hs.request(URI.create("ws://127.0.0.1:8080/ws/streams/lg-7"))).toString();
        assertThat(req).startsWith("GET /ws/streams/lg-7 HTTP/1.1\r\n")
                .contains("Host: 127.0.0.1:8080\r\n", "Upgrade: websocket\r\n", "Connection: Upgrade\r\n",
                        "Sec-WebSocket-Key: " + hs.key + "\r\n", "Sec-WebSocket-Version: 13\r\n")
                .endsWith("\r\n\r\n");
        assertThat(java.util.Base64.getDecoder().decode(hs.key)).hasSize(16);
        assertThat(new WsHandshake().key).as("a fresh key per connection").isNotEqualTo(hs.key);
    }

    @Test
    void acceptsA101WithTheRightAccept() throws Exception {
        hs.verify(ok(WsFrames.acceptKey(hs.key)));
    }

    @Test
    void rejectsOtherStatusesWithTheStatusLine() {
        assertThatThrownBy(() -> hs.verify("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"))
                .isInstanceOf(WsHandshake.Rejected.class).hasMessage("HTTP/1.1 503 Service Unavailable");
        assertThatThrownBy(() -> hs.verify("HTTP/1.1 400 Bad Request\r\n\r\n"))
                .hasMessage("HTTP/1.1 400 Bad Request");
        assertThat(LoadRun.describe(new WsHandshake.Rejected("HTTP/1.1 400 Bad Request")))
                .isEqualTo("HTTP/1.1 400 Bad Request");
    }

    @Test
    void rejectsAWrongAcceptOrAMissingUpgrade() {
        assertThatThrownBy(() -> hs.verify(ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")))
                .isInstanceOf(WsHandshake.Rejected.class).hasMessage("bad Sec-WebSocket-Accept");
        assertThatThrownBy(() -> hs.verify("HTTP/1.1 101 Switching Protocols\r\n\r\n"))
                .isInstanceOf(WsHandshake.Rejected.class);
    }

    @Test
    void findsTheEndOfTheHead() {
        byte[] head = "HTTP/1.1 101 X\r\nA: b\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(100).put(head).put(new byte[] {(byte) 0x81, 0}).flip();
        assertThat(WsHandshake.headEnd(b)).isEqualTo(head.length);
        assertThat(WsHandshake.headEnd(ByteBuffer.wrap(head, 0, head.length - 1))).isEqualTo(-1);
    }
}
