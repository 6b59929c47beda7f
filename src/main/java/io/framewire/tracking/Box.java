package io.framewire.tracking;

/** An axis-aligned box in pixels: top-left corner, width and height. */
public record Box(double x, double y, double w, double h) {

    public double area() {
        return Math.max(0, w) * Math.max(0, h);
    }

    /** Intersection over union; 0 for boxes that do not overlap. */
    public double iou(Box o) {
        double ix = Math.min(x + w, o.x + o.w) - Math.max(x, o.x);
        double iy = Math.min(y + h, o.y + o.h) - Math.max(y, o.y);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        double inter = ix * iy;
        return inter / (area() + o.area() - inter);
    }
}
