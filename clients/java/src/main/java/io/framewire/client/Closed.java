package io.framewire.client;

/**
 * Why a connection ended or an upgrade failed, and what the client does next.
 *
 * @param code       the close code (1006 for a network error; {@link FramewireClient#CLOSE_SILENCE}
 *                   when the silence rule closed it); 0 when the upgrade failed
 * @param httpStatus the status of a refused upgrade (503, 401, ...), 0 when there was none
 * @param reason     the close reason or error message
 * @param delayMs    ms until the next attempt; -1: no reconnect (stopped)
 */
public record Closed(int code, int httpStatus, String reason, long delayMs) {}
