using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedRnn.Benchmarks.Reporting;

/// <summary>The CPU, its per-core cache sizes and the runtime, read from the OS where it tells.</summary>
public sealed class MachineInfo
{
    private MachineInfo()
    {
    }

    public string CpuModel { get; private init; } = "unknown";

    public int LogicalCores { get; private init; }

    /// <summary>Per-core L1 data cache in bytes (0 if unknown).</summary>
    public long L1DataBytes { get; private init; }

    /// <summary>Per-core (or per-cluster) L2 in bytes.</summary>
    public long L2Bytes { get; private init; }

    /// <summary>Shared L3 in bytes.</summary>
    public long L3Bytes { get; private init; }

    public string Runtime { get; private init; } = RuntimeInformation.FrameworkDescription;

    public string Isa { get; private init; } = "";

    public static MachineInfo Read()
    {
        string model = "unknown";
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                model = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        long l1 = 0, l2 = 0, l3 = 0;
        const string cacheDirectory = "/sys/devices/system/cpu/cpu0/cache";
        if (Directory.Exists(cacheDirectory))
        {
            foreach (string index in Directory.GetDirectories(cacheDirectory, "index*"))
            {
                try
                {
                    int level = int.Parse(File.ReadAllText(Path.Combine(index, "level")).Trim(), CultureInfo.InvariantCulture);
                    string type = File.ReadAllText(Path.Combine(index, "type")).Trim();
                    long size = ParseSize(File.ReadAllText(Path.Combine(index, "size")).Trim());
                    if (level == 1 && type == "Data")
                    {
                        l1 = size;
                    }
                    else if (level == 2)
                    {
                        l2 = size;
                    }
                    else if (level == 3)
                    {
                        l3 = size;
                    }
                }
                catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
                {
                }
            }
        }

        var isa = new List<string>();
        if (Avx2.IsSupported)
        {
            isa.Add("AVX2");
        }

        if (Fma.IsSupported)
        {
            isa.Add("FMA");
        }

        if (Avx512F.IsSupported)
        {
            isa.Add("AVX-512F");
        }

        isa.Add(Vector256.IsHardwareAccelerated ? "Vector256 accelerated" : "Vector256 not accelerated");
        isa.Add(Vector512.IsHardwareAccelerated ? "Vector512 accelerated (the kernels' paired activations use it)" : "Vector512 not accelerated");
        return new MachineInfo
        {
            CpuModel = model,
            LogicalCores = Environment.ProcessorCount,
            L1DataBytes = l1,
            L2Bytes = l2,
            L3Bytes = l3,
            Isa = string.Join(", ", isa),
        };
    }

    /// <summary>Where a working set of <paramref name="bytes"/> fits: L1, L2, L3 or DRAM.</summary>
    public string Level(long bytes) =>
        L1DataBytes == 0 ? "?" :
        bytes <= L1DataBytes ? "L1" :
        bytes <= L2Bytes ? "L2" :
        bytes <= L3Bytes ? "L3" : "DRAM";

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{CpuModel}, {LogicalCores} logical cores; L1d {L1DataBytes / 1024} KiB, L2 {L2Bytes / 1024} KiB per core, L3 {L3Bytes / 1024 / 1024} MiB; {Isa}; {Runtime}");

    private static long ParseSize(string text)
    {
        long multiplier = 1;
        if (text.EndsWith('K'))
        {
            multiplier = 1024;
            text = text[..^1];
        }
        else if (text.EndsWith('M'))
        {
            multiplier = 1024 * 1024;
            text = text[..^1];
        }

        return long.Parse(text, CultureInfo.InvariantCulture) * multiplier;
    }
}
