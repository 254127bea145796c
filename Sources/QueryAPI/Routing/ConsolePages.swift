import Foundation

/// Pages a domain adds to the web console (`/console/`): their files, served beside the
/// engine's, and their entries in the navigation. The console lists them at
/// `/console/pages.json` and loads each page's module when it starts.
public struct ConsolePages: Sendable {
    /// One page: `#/<name>` in the URL, `title` in the navigation, drawn by the function
    /// `function` exported by the module file `module` (called with the page's root element
    /// and the URL's query; it may return a function that stops what it started).
    public struct Page: Sendable, Hashable {
        public var name: String
        public var title: String
        public var module: String
        public var function: String

        public init(name: String, title: String, module: String, function: String) {
            self.name = name
            self.title = title
            self.module = module
            self.function = function
        }
    }

    public var pages: [Page]
    /// The folder of the pages' files (a module's resource folder).
    public var folder: URL?

    public init(pages: [Page], folder: URL?) {
        self.pages = pages
        self.folder = folder
    }
}
