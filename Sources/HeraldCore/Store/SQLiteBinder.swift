import GRDB
import GRDBSQLite

/// Runs a prepared GRDB statement through SQLite's C API, for the ledger's per-delivery writes: building GRDB's
/// argument arrays (an existential and a `DatabaseValue` per value) cost more than SQLite's own work on them.
///
/// ```swift
/// var row = SQLiteBinder(try db.cachedStatement(sql: "UPDATE deliveries SET state = ? WHERE id = ?"), db)
/// row.bind("sent"); row.bind(id)
/// try row.step()
/// ```
/// The statement must not be used through GRDB's own arguments between `init` and `step` (nothing else runs on
/// the connection meanwhile: it is the write transaction's). No GRDB transaction observer sees these writes;
/// Herald registers none.
struct SQLiteBinder {
    private let statement: Statement
    private let connection: SQLiteConnection?
    private var index: Int32 = 0

    init(_ statement: Statement, _ db: Database) {
        self.statement = statement
        self.connection = db.sqliteConnection
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(statement.sqliteStatement, index, value) } else { sqlite3_bind_null(statement.sqliteStatement, index) }
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Bool) { bind(Int64(value ? 1 : 0)) }

    mutating func bind(_ value: String?) {
        index += 1
        guard let value else {
            sqlite3_bind_null(statement.sqliteStatement, index)
            return
        }
        var copy = value
        copy.withUTF8 { bytes in
            // SQLITE_TRANSIENT: SQLite copies the text before the call returns. An empty string binds as "" (a
            // null pointer would bind NULL).
            guard let start = bytes.baseAddress, !bytes.isEmpty else {
                _ = sqlite3_bind_text(statement.sqliteStatement, index, "", 0, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                return
            }
            _ = sqlite3_bind_text(statement.sqliteStatement, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), Int32(bytes.count),
                                  unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
    }

    /// Runs the statement to completion and leaves it reset, its bindings cleared.
    func step() throws {
        try step { _ in }
    }

    /// Runs the statement to completion and returns its rows' first column as integers (`RETURNING id`).
    func stepReturningIDs() throws -> Set<Int64> {
        var ids: Set<Int64> = []
        try step { ids.insert(sqlite3_column_int64($0, 0)) }
        return ids
    }

    private func step(_ row: (SQLiteStatement) -> Void) throws {
        precondition(index == sqlite3_bind_parameter_count(statement.sqliteStatement), "\(index) values bound for \(statement.sql)")
        var code = sqlite3_step(statement.sqliteStatement)
        while code == SQLITE_ROW {
            row(statement.sqliteStatement)
            code = sqlite3_step(statement.sqliteStatement)
        }
        guard code == SQLITE_DONE else {
            let message = sqlite3_errmsg(connection).map { String(cString: $0) }
            sqlite3_reset(statement.sqliteStatement)
            sqlite3_clear_bindings(statement.sqliteStatement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }
}
