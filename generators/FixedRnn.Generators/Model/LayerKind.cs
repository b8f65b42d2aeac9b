namespace FixedRnn.Generators.Model;

internal enum LayerKind
{
    Rnn,
    Lstm,
    Gru,
    Dense,
}
