/**
 * The wire protocol's vocabulary: the JSON text messages ({@code Messages}, field names are a
 * public contract), a detection as results carry it ({@code Detection}) and every WebSocket close
 * code ({@code CloseCodes}). A leaf, so that workers, sessions and state can all speak it.
 *
 * <p>May use: nothing in framewire.
 */
package io.framewire.protocol;
