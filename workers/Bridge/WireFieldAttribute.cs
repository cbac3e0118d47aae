namespace DSPex.Orleans.Workers.Bridge;

/// <summary>
/// Names the envelope field (grains/Python/dspex/protocol.json, <c>frames_from_bridge.*.fields</c>) a property of a
/// frame record is read from. A property of a frame record without it says what it is derived from instead
/// (<see cref="DerivedFromWireAttribute"/>). Unit/Protocol/FrameFieldDefinitionTests holds both against the file.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class WireFieldAttribute(string name) : Attribute
{
    /// <summary>The field's name on the wire.</summary>
    public string Name { get; } = name;
}

/// <summary>A property of a frame record the silo derives from the named wire field rather than reads as it is.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class DerivedFromWireAttribute(string field) : Attribute
{
    /// <summary>The wire field it is derived from.</summary>
    public string Field { get; } = field;
}
