import Foundation

/// The Lua of this module's Redis Functions libraries, from its resources (`Lua/*.lua`).
enum LuaResource {
    /// The text of `Lua/<name>.lua`. A missing file is a broken build or install (the module's
    /// resource bundle, `berrys_Workers.resources`, belongs beside the binary), not a condition
    /// to run on.
    static func text(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "lua", subdirectory: "Lua"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            preconditionFailure("Lua/\(name).lua is missing from the Workers module's resources (berrys_Workers.resources beside the binary)")
        }
        return text
    }
}
