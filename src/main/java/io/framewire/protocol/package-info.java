/**
 * The wire protocol's vocabulary: the JSON text messages ({@code Messages}, field names are a
 * public contract), a detection as results carry it ({@code Detection}), every error message's
 * code ({@code ErrorCode}) and every WebSocket close code ({@code CloseCodes}, plain RFC 6455
 * numbers). A leaf, so that workers, sessions and state can all speak it: it uses no other
 * framewire package and no WebSocket library (Jetty stays in {@code server}, {@code stream},
 * {@code security} and {@code watchdog}); its one library is Jackson's streaming writer.
 *
 * <p>May use: nothing in framewire.
 */
package io.framewire.protocol;
