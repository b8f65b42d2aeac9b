namespace FixedRnn.Tests;

/// <summary>Which of the generated kernels' paths this process runs, for test output.</summary>
internal static class SimdPath
{
    public static string Describe() => KernelInfo.Describe();
}
