@testable import Projections
import Testing

@Suite struct SQLStatementsTests {
    @Test func splitsAtTopLevelSemicolonsOnly() {
        let sql = """
        -- a comment; with a semicolon
        INSERT INTO t VALUES ($1->>'a;b');
        UPDATE t SET note = 'it''s; fine' WHERE "odd;name" = 1; /* block; comment */
        DO $body$ BEGIN PERFORM 1; END $body$;
        SELECT $$x;y$$
        """
        let statements = SQLStatements.split(sql)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("VALUES ($1->>'a;b')"))
        #expect(statements[1].contains("'it''s; fine'"))
        #expect(statements[2].hasPrefix("/* block; comment */\nDO $body$ BEGIN PERFORM 1; END $body$") || statements[2].contains("DO $body$ BEGIN PERFORM 1; END $body$"))
        #expect(statements[3] == "SELECT $$x;y$$")
    }

    @Test func dropsEmptyAndCommentOnlyPieces() {
        #expect(SQLStatements.split(";;\n-- only a comment\n").isEmpty)
    }
}
