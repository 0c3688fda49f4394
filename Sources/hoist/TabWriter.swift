/// Go's `text/tabwriter` as buildx's `--call` printers use it (minwidth 0, tabwidth 0, padding N,
/// padding with spaces, no flags): a cell ends at a tab; each column is as wide as its widest
/// cell plus the padding; the text after a line's last tab is not a cell and is written as is.
/// Enough for the tables here, where every line has the same number of cells.
struct TabWriter {
    let padding: Int
    private var rows: [[String]] = []

    init(padding: Int) { self.padding = padding }

    mutating func line(_ cells: String...) { rows.append(cells) }

    func rendered() -> String {
        var widths: [Int] = []
        for row in rows {
            for (i, cell) in row.dropLast().enumerated() {
                if widths.count <= i { widths.append(0) }
                widths[i] = max(widths[i], cell.unicodeScalars.count + padding)
            }
        }
        return rows.map { row in
            row.dropLast().enumerated().map { i, cell in cell + String(repeating: " ", count: widths[i] - cell.unicodeScalars.count) }.joined()
                + (row.last ?? "") + "\n"
        }.joined()
    }
}
