using System;
using System.IO;
using FixedRnn.Interop;

namespace FixedRnn.Tests;

/// <summary>A committed PyTorch fixture: its weights file and its inputs with the expected outputs.</summary>
public sealed class Fixture
{
    private Fixture(string name)
    {
        Name = name;
        WeightsPath = PathOf($"{name}.weights.safetensors");
        Io = SafeTensorsFile.Read(PathOf($"{name}.io.safetensors"));
        Inputs = Io.ReadSingles("input");
        Outputs = Io.ReadSingles("output");
        Steps = (int)Io.GetInfo("input").Shape[0];
    }

    public string Name { get; }

    public string WeightsPath { get; }

    public SafeTensorsFile Io { get; }

    /// <summary>The inputs, <c>[T, InputSize]</c>.</summary>
    public float[] Inputs { get; }

    /// <summary>PyTorch's outputs, <c>[T, OutputSize]</c>.</summary>
    public float[] Outputs { get; }

    public int Steps { get; }

    public static Fixture Load(string name) => new(name);

    public static string PathOf(string fileName) => Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName);

    public float[] FinalHidden(int recurrentLayer) => Io.ReadSingles($"final_hidden_{recurrentLayer}");

    public float[] FinalCell(int recurrentLayer) => Io.ReadSingles($"final_cell_{recurrentLayer}");
}
