/**
 * Object tracks across a stream's detector passes ({@code Tracker}, after SORT): pure geometry
 * on {@code Box}es, no OpenCV, no clocks of its own (time is passed in).
 *
 * <p>May use: nothing in framewire.
 */
package io.framewire.tracking;
