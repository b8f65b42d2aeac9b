namespace FixedRnn.Training;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014) and an unbiased Fisher–Yates shuffle: the same orders from the same
/// seed on every platform and .NET version, with no allocation.
/// </summary>
internal struct ShuffleRandom(int seed)
{
    private ulong _state = (ulong)(uint)seed;

    /// <summary>Puts <paramref name="values"/> in a uniformly random order.</summary>
    public void Shuffle(System.Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextBelow((uint)i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), by rejecting the draws that would bias it.</summary>
    private int NextBelow(uint bound)
    {
        ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
        ulong draw;
        do
        {
            draw = Next();
        }
        while (draw >= limit);

        return (int)(draw % bound);
    }

    private ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
