using System;

namespace FixedRnn.Interop;

/// <summary>The element types a safetensors file can declare.</summary>
/// <remarks>
/// Member names follow the header's dtype strings, except that the 8-bit float formats drop the underscore
/// (<c>F8_E4M3</c> is <see cref="F8E4M3"/>). Use <see cref="SafeTensorsDTypeExtensions.GetHeaderName"/> and
/// <see cref="SafeTensorsDTypeExtensions.TryParse"/> to convert; <see cref="Enum.Parse(Type, string)"/> does not
/// understand the header spelling.
/// </remarks>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 binary64 (<c>F64</c>).</summary>
    F64,

    /// <summary>IEEE 754 binary32 (<c>F32</c>).</summary>
    F32,

    /// <summary>IEEE 754 binary16 (<c>F16</c>).</summary>
    F16,

    /// <summary>bfloat16: the upper half of a binary32 (<c>BF16</c>).</summary>
    BF16,

    /// <summary>Signed 64-bit integer (<c>I64</c>).</summary>
    I64,

    /// <summary>Signed 32-bit integer (<c>I32</c>).</summary>
    I32,

    /// <summary>Signed 16-bit integer (<c>I16</c>).</summary>
    I16,

    /// <summary>Signed 8-bit integer (<c>I8</c>).</summary>
    I8,

    /// <summary>Unsigned 8-bit integer (<c>U8</c>).</summary>
    U8,

    /// <summary>One-byte boolean (<c>BOOL</c>).</summary>
    Bool,

    /// <summary>Unsigned 16-bit integer (<c>U16</c>).</summary>
    U16,

    /// <summary>Unsigned 32-bit integer (<c>U32</c>).</summary>
    U32,

    /// <summary>Unsigned 64-bit integer (<c>U64</c>).</summary>
    U64,

    /// <summary>8-bit float with 4 exponent and 3 mantissa bits (<c>F8_E4M3</c>); not convertible to <see cref="float"/> by this library.</summary>
    F8E4M3,

    /// <summary>8-bit float with 5 exponent and 2 mantissa bits (<c>F8_E5M2</c>); not convertible to <see cref="float"/> by this library.</summary>
    F8E5M2,
}

/// <summary>Helpers for <see cref="SafeTensorsDType"/>.</summary>
public static class SafeTensorsDTypeExtensions
{
    /// <summary>Gets the size in bytes of one element of <paramref name="dtype"/>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The element size in bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static int GetElementSize(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 or SafeTensorsDType.U32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 or SafeTensorsDType.U16 => 2,
        SafeTensorsDType.I8 or SafeTensorsDType.U8 or SafeTensorsDType.Bool
            or SafeTensorsDType.F8E4M3 or SafeTensorsDType.F8E5M2 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Gets whether <see cref="SafeTensorsFile.ReadSingles"/> can convert elements of <paramref name="dtype"/> to <see cref="float"/>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns><see langword="true"/> for <see cref="SafeTensorsDType.F64"/>, <see cref="SafeTensorsDType.F32"/>,
    /// <see cref="SafeTensorsDType.F16"/> and <see cref="SafeTensorsDType.BF16"/>; otherwise <see langword="false"/>.</returns>
    public static bool IsConvertibleToSingle(this SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.F64 or SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>Gets the dtype string used in a safetensors header, such as <c>"F32"</c> or <c>"F8_E4M3"</c>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The header spelling of <paramref name="dtype"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static string GetHeaderName(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 => "F64",
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.I64 => "I64",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.U16 => "U16",
        SafeTensorsDType.U32 => "U32",
        SafeTensorsDType.U64 => "U64",
        SafeTensorsDType.F8E4M3 => "F8_E4M3",
        SafeTensorsDType.F8E5M2 => "F8_E5M2",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Parses a header dtype string. Matching is exact and case-sensitive, as in the reference implementation.</summary>
    /// <param name="headerName">The dtype string from a header, such as <c>"BF16"</c>.</param>
    /// <param name="dtype">The parsed element type, or <see langword="default"/> when parsing fails.</param>
    /// <returns><see langword="true"/> if <paramref name="headerName"/> names a known dtype.</returns>
    public static bool TryParse(ReadOnlySpan<char> headerName, out SafeTensorsDType dtype)
    {
        // Deliberately not Enum.TryParse: that would accept numbers, other casings and the enum's own member names.
        switch (headerName)
        {
            case "F64": dtype = SafeTensorsDType.F64; return true;
            case "F32": dtype = SafeTensorsDType.F32; return true;
            case "F16": dtype = SafeTensorsDType.F16; return true;
            case "BF16": dtype = SafeTensorsDType.BF16; return true;
            case "I64": dtype = SafeTensorsDType.I64; return true;
            case "I32": dtype = SafeTensorsDType.I32; return true;
            case "I16": dtype = SafeTensorsDType.I16; return true;
            case "I8": dtype = SafeTensorsDType.I8; return true;
            case "U8": dtype = SafeTensorsDType.U8; return true;
            case "BOOL": dtype = SafeTensorsDType.Bool; return true;
            case "U16": dtype = SafeTensorsDType.U16; return true;
            case "U32": dtype = SafeTensorsDType.U32; return true;
            case "U64": dtype = SafeTensorsDType.U64; return true;
            case "F8_E4M3": dtype = SafeTensorsDType.F8E4M3; return true;
            case "F8_E5M2": dtype = SafeTensorsDType.F8E5M2; return true;
            default: dtype = default; return false;
        }
    }
}
