package dev.mlapp.image;

/**
 * The eight EXIF orientations (tag 0x0112): how the stored pixels must be flipped or rotated to appear upright.
 * Applied as PIL's {@code ImageOps.exif_transpose} does, before resizing.
 */
enum Orientation {
    /** 1: stored upright. */
    NORMAL,
    /** 2: mirrored left-right. */
    MIRROR_HORIZONTAL,
    /** 3: upside down. */
    ROTATE_180,
    /** 4: mirrored top-bottom. */
    MIRROR_VERTICAL,
    /** 5: mirrored along the main diagonal (x and y swapped). */
    TRANSPOSE,
    /** 6: the camera was turned clockwise; shown rotated 90° clockwise. */
    ROTATE_90_CW,
    /** 7: mirrored along the anti-diagonal. */
    TRANSVERSE,
    /** 8: the camera was turned counter-clockwise; shown rotated 90° counter-clockwise. */
    ROTATE_90_CCW;

    /** Values outside 1..8 (which cameras do write) mean "upright", as in PIL. */
    static Orientation fromExif(int value) {
        return value >= 1 && value <= 8 ? values()[value - 1] : NORMAL;
    }

    boolean swapsAxes() {
        return ordinal() >= TRANSPOSE.ordinal();
    }
}
