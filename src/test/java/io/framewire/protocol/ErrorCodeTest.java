package io.framewire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The error codes on the wire are a public contract: an enum rename must not change them. */
class ErrorCodeTest {

    @Test
    void theWireStringsStayAsPublished() {
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire))
                .containsExactly("bad_image", "image_too_large", "empty_frame", "unexpected_text", "unexpected_message",
                        "inference_failed", "rate_limited");
    }

    @Test
    void anErrorMessageCarriesTheWireString() {
        assertThat(Messages.error(7, ErrorCode.IMAGE_TOO_LARGE, "too wide", 2))
                .isEqualTo("{\"type\":\"error\",\"seq\":7,\"code\":\"image_too_large\",\"message\":\"too wide\",\"dropped\":2}");
        assertThat(Messages.error(-1, ErrorCode.UNEXPECTED_TEXT, "no text", 0))
                .isEqualTo("{\"type\":\"error\",\"code\":\"unexpected_text\",\"message\":\"no text\",\"dropped\":0}");
    }

    @Test
    void closeCodesAreRfc6455Numbers() {
        // plain ints now (no Jetty): the values clients act on must not move
        assertThat(new int[] {CloseCodes.NORMAL, CloseCodes.GOING_AWAY, CloseCodes.POLICY, CloseCodes.TOO_BIG,
                CloseCodes.SERVER_ERROR, CloseCodes.TRY_AGAIN, CloseCodes.REPLACED})
                .containsExactly(1000, 1001, 1008, 1009, 1011, 1013, 4000);
    }
}
