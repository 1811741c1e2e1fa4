/// Implicit im2col: packs the B panels of a convolution's GEMM straight from the image, so
/// no column matrix is written and read back (that copy was 40% of a 3x3 conv). Each k step
/// is one (channel, ky, kx) tap; along n the output positions run row by row, so a panel row
/// is a few runs of consecutive output columns — for stride 1 a contiguous copy of an image
/// row with zeros where the window leaves the image.

extension PackedGemm {
    /// Packs B[rows..<rows+k, columns..<columns+n] of `image` in the layout of `packB`.
    static func packImage(_ image: ConvImage, rows: Int, _ k: Int, columns: Int, _ n: Int, into: UnsafeMutablePointer<Float>) {
        if let table = image.table {
            packImage(image.x, table: table, width: image.geometry.outH * image.geometry.outW,
                      rows: rows, k, columns: columns, n, into: into)
            return
        }
        let g = image.geometry, taps = g.taps
        let tail = n % nr
        for p in 0..<k {
            let tap = (rows + p) % taps, channel = (rows + p) / taps
            let (ky, kx) = (tap / g.kernelW, tap % g.kernelW)
            let plane = image.x + channel * g.height * g.width
            let (rowOffset, columnOffset) = (ky * g.dilationH - g.padTop, kx * g.dilationW - g.padLeft)
            var (oy, ox) = (columns / g.outW, columns % g.outW)
            var j = 0
            while j < n {
                let inPanel = j % nr
                let run = Swift.min(g.outW - ox, n - j, nr - inPanel)
                let dst = into + (j / nr) * k * nr + p * nr + inPanel
                let iy = oy * g.strideH + rowOffset
                if iy < 0 || iy >= g.height {
                    for q in 0..<run { dst[q] = 0 }
                } else {
                    copyRow(plane + iy * g.width, width: g.width, from: ox * g.strideW + columnOffset, stride: g.strideW,
                            run, into: dst)
                }
                j += run
                ox += run
                if ox == g.outW { (oy, ox) = (oy + 1, 0) }
            }
            if tail != 0 {
                let dst = into + (n / nr) * k * nr + p * nr
                for q in tail..<nr { dst[q] = 0 }
            }
        }
    }

    /// `packImage` through a gather table of B's `width` columns: B[p, j] = x[table[p, j]], or 0.
    static func packImage(_ x: UnsafePointer<Float>, table: UnsafePointer<Int32>, width: Int, rows: Int, _ k: Int,
                          columns: Int, _ n: Int, into: UnsafeMutablePointer<Float>) {
        var first = 0
        while first < n {
            let count = Swift.min(nr, n - first)
            let panel = into + first * k
            for p in 0..<k {
                let (source, dst) = (table + (rows + p) * width + columns + first, panel + p * nr)
                for q in 0..<count {
                    let offset = Int(source[q])
                    dst[q] = offset < 0 ? 0 : x[offset]
                }
                if count < nr { (dst + count).update(repeating: 0, count: nr - count) }
            }
            first += count
        }
    }

    /// dst[0..<count] = src[0..<count], 16 lanes at a time; a ragged end is one more vector
    /// ending exactly at `count` (overlapping the last one), so nothing is read or written
    /// past either run.
    @inline(__always)
    static func copyInterior(_ src: UnsafePointer<Float>, _ count: Int, into dst: UnsafeMutablePointer<Float>) {
        let out = UnsafeMutableRawPointer(dst)
        guard count >= 16 else {
            for q in 0..<count { dst[q] = src[q] }
            return
        }
        var q = 0
        while q + 16 <= count {
            out.storeBytes(of: loadVector(src + q), toByteOffset: q * 4, as: SIMD16<Float>.self)
            q += 16
        }
        if q < count {
            out.storeBytes(of: loadVector(src + count - 16), toByteOffset: (count - 16) * 4, as: SIMD16<Float>.self)
        }
    }

    /// dst[q] = row[start + q·stride] for q < count, 0 where that falls outside 0..<width.
    @inline(__always)
    static func copyRow(_ row: UnsafePointer<Float>, width: Int, from start: Int, stride: Int, _ count: Int,
                        into dst: UnsafeMutablePointer<Float>) {
        if stride == 1 {
            let lo = Swift.min(Swift.max(-start, 0), count), hi = Swift.max(Swift.min(width - start, count), lo)
            for q in 0..<lo { dst[q] = 0 }
            copyInterior(row + start + lo, hi - lo, into: dst + lo)
            for q in hi..<count { dst[q] = 0 }
        } else {
            for q in 0..<count {
                let x = start + q * stride
                dst[q] = x >= 0 && x < width ? row[x] : 0
            }
        }
    }
}

extension PackedGemm {
    /// Column j of the image's B (the portable GEMM's element-wise view of it).
    static func imageColumn(_ image: ConvImage, _ j: Int, count: Int, into column: UnsafeMutablePointer<Float>) {
        for p in 0..<count {
            column[p] = image.geometry.imageOffset(step: p, position: j).map { image.x[$0] } ?? 0
        }
    }
}

extension ConvGeometry {
    /// Where B[p, j] of the conv's implicit im2col reads: k step p = (channel, ky, kx) of one
    /// group, output position j; the offset from the group's first input channel, or nil
    /// where the window lies in the padding.
    @inline(__always)
    func imageOffset(step p: Int, position j: Int) -> Int? {
        let (channel, tap) = (p / taps, p % taps)
        let iy = j / outW * strideH - padTop + tap / kernelW * dilationH
        let ix = j % outW * strideW - padLeft + tap % kernelW * dilationW
        guard iy >= 0 && iy < height && ix >= 0 && ix < width else { return nil }
        return (channel * height + iy) * width + ix
    }
}
