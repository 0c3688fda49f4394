import ArgumentParser

@main
struct Hoist: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hoist",
        abstract: "Assemble OCI images from Dockerfiles without a daemon.",
        subcommands: [Assemble.self, Pull.self, Push.self, Inspect.self, Copy.self, Imagetools.self, Images.self, Save.self, Rmi.self, Prune.self, Login.self, Logout.self, Debug.self]
    )
}
