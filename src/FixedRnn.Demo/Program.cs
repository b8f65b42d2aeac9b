// FixedRnn's flagship demo: three recurrent networks declared with attributes, trained in C# on a
// real daily market series, compared with the persistence forecast, and timed tick by tick.
//
//   dotnet run --project src/FixedRnn.Demo -c Release
//   dotnet run --project src/FixedRnn.Demo -c Release -- --column FTSE --epochs 50 --seed 7
//   dotnet run --project src/FixedRnn.Demo -c Release -- keras     # the lecture's Keras workflow (KerasWorkflow)
//
// The work is in DemoRunner; this file only wires the command line to it.

using FixedRnn.Demo;
using Spectre.Console;

return DemoCommandLine.Invoke(
    args,
    options => DemoRunner.Run(options, AnsiConsole.Console),
    options => KerasWorkflow.Run(options, AnsiConsole.Console));
