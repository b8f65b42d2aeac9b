namespace FixedRnn;

/// <summary>
/// A streaming model with training support (<see cref="ISequenceTrainableModel{TState, TTrace}"/>): what
/// <see cref="Training.SequenceTrainer{TModel, TState, TTrace}"/> needs to carry the state across truncated-BPTT windows.
/// </summary>
/// <typeparam name="TState">The model's generated <c>State</c>.</typeparam>
/// <typeparam name="TTrace">The model's generated <c>Trace</c>.</typeparam>
public interface ITrainableModel<TState, TTrace> : IRecurrentModel<TState>, ISequenceTrainableModel<TState, TTrace>
    where TState : struct
    where TTrace : class
{
}
