using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace FaqBot.Site;

/// <summary>
/// The clinic's icon drawn from its two colours (<c>Clinic:PrimaryColor</c>, <c>Clinic:AccentColor</c>): a rounded
/// square in the primary colour with a white speech bubble holding three accent dots. As SVG, and as PNG and ICO
/// (a PNG inside) for browsers and home screens that want bitmaps. Drawn once per size and kept.
/// </summary>
public sealed class ClinicIcon(string primary, string accent)
{
    private readonly Dictionary<int, byte[]> _png = [];
    private readonly Lock _gate = new();

    public string Svg { get; } = $"""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
        <rect width="64" height="64" rx="14" fill="{primary}"/>
        <path d="M17 14h30a6 6 0 0 1 6 6v18a6 6 0 0 1-6 6H28l-10 8v-8h-1a6 6 0 0 1-6-6V20a6 6 0 0 1 6-6z" fill="#fff"/>
        <circle cx="22.5" cy="29" r="3.5" fill="{accent}"/><circle cx="32" cy="29" r="3.5" fill="{accent}"/><circle cx="41.5" cy="29" r="3.5" fill="{accent}"/>
        </svg>
        """;

    public byte[] Png(int size)
    {
        lock (_gate)
        {
            if (!_png.TryGetValue(size, out var png))
            {
                png = EncodePng(size, Draw(size));
                _png[size] = png;
            }

            return png;
        }
    }

    /// <summary>A .ico file holding one 32x32 PNG (supported by every current browser).</summary>
    public byte[] Ico()
    {
        var png = Png(32);
        var ico = new byte[6 + 16 + png.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(2), 1); // type: icon
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(4), 1); // one image
        ico[6] = 32;
        ico[7] = 32;
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(10), 1); // planes
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(12), 32); // bits per pixel
        BinaryPrimitives.WriteUInt32LittleEndian(ico.AsSpan(14), (uint)png.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ico.AsSpan(18), 22);
        png.CopyTo(ico, 22);
        return ico;
    }

    /// <summary>RGBA pixels of the same drawing as <see cref="Svg"/> (64-unit canvas), 4x4 samples per pixel.</summary>
    private byte[] Draw(int size)
    {
        var (pr, pg, pb) = Rgb(primary);
        var (ar, ag, ab) = Rgb(accent);
        var pixels = new byte[size * size * 4];
        const int Samples = 4;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                double r = 0, g = 0, b = 0, a = 0;
                for (var sy = 0; sy < Samples; sy++)
                {
                    for (var sx = 0; sx < Samples; sx++)
                    {
                        var u = (x + (sx + 0.5) / Samples) * 64 / size;
                        var v = (y + (sy + 0.5) / Samples) * 64 / size;
                        if (!InRoundedRect(u, v, 0, 0, 64, 64, 14))
                        {
                            continue;
                        }

                        a += 1;
                        var (cr, cg, cb) = Dot(u, v) ? (ar, ag, ab) : Bubble(u, v) ? (255, 255, 255) : (pr, pg, pb);
                        r += cr;
                        g += cg;
                        b += cb;
                    }
                }

                var i = (y * size + x) * 4;
                if (a > 0)
                {
                    pixels[i] = (byte)(r / a);
                    pixels[i + 1] = (byte)(g / a);
                    pixels[i + 2] = (byte)(b / a);
                    pixels[i + 3] = (byte)(255 * a / (Samples * Samples));
                }
            }
        }

        return pixels;
    }

    private static bool Bubble(double u, double v) =>
        InRoundedRect(u, v, 11, 14, 53, 44, 6)
        || (v >= 44 && v <= 52 && u >= 18 && u <= 28 && u - 18 <= (28 - 18) * (52 - v) / 8); // the tail

    private static bool Dot(double u, double v) =>
        new[] { 22.5, 32, 41.5 }.Any(cx => (u - cx) * (u - cx) + (v - 29) * (v - 29) <= 3.5 * 3.5);

    private static bool InRoundedRect(double u, double v, double left, double top, double right, double bottom, double radius)
    {
        if (u < left || u > right || v < top || v > bottom)
        {
            return false;
        }

        var cx = Math.Clamp(u, left + radius, right - radius);
        var cy = Math.Clamp(v, top + radius, bottom - radius);
        return (u - cx) * (u - cx) + (v - cy) * (v - cy) <= radius * radius;
    }

    private static (int R, int G, int B) Rgb(string hex) => (
        int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static byte[] EncodePng(int size, byte[] rgba)
    {
        var raw = new byte[size * (size * 4 + 1)];
        for (var y = 0; y < size; y++)
        {
            Buffer.BlockCopy(rgba, y * size * 4, raw, y * (size * 4 + 1) + 1, size * 4); // filter byte 0 (none) per row
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8; // bits per channel
        header[9] = 6; // RGBA
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typeAndData));
        png.Write(number);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
