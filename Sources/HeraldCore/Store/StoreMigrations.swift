import GRDB

/// The schema, as an append-only list of migrations: never edit one that has shipped, add the next.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 jobs, campaigns, subscribers, deliveries, events") { db in
            // Times are Unix milliseconds (INTEGER): compact, index-friendly and unambiguous.
            try db.execute(sql: """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY NOT NULL,
                    receipt TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    account TEXT,
                    state TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    body TEXT NOT NULL,
                    accepted_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    detail TEXT
                );
                CREATE TABLE campaigns (
                    id INTEGER PRIMARY KEY,
                    job_id TEXT NOT NULL UNIQUE REFERENCES jobs(id),
                    account TEXT NOT NULL,
                    name TEXT,
                    kind TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    send_at INTEGER NOT NULL,
                    audience_cursor INTEGER NOT NULL DEFAULT 0,
                    audience_expanded INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    started_at INTEGER,
                    finished_at INTEGER
                );
                CREATE INDEX campaigns_due ON campaigns(state, send_at);
                CREATE TABLE subscribers (
                    id INTEGER PRIMARY KEY,
                    account TEXT NOT NULL,
                    platform_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    source TEXT,
                    first_name TEXT,
                    last_name TEXT,
                    username TEXT,
                    locale TEXT,
                    time_zone TEXT,
                    fields TEXT NOT NULL DEFAULT '{}',
                    subscribed_at INTEGER,
                    unsubscribed_at INTEGER,
                    last_inbound_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE(account, platform_id)
                );
                CREATE INDEX subscribers_status ON subscribers(account, status, id);
                CREATE TABLE subscriber_tags (
                    tag TEXT NOT NULL,
                    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
                    PRIMARY KEY(tag, subscriber_id)
                ) WITHOUT ROWID;
                CREATE INDEX subscriber_tags_subscriber ON subscriber_tags(subscriber_id);
                CREATE TABLE deliveries (
                    id INTEGER PRIMARY KEY,
                    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
                    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER,
                    platform_message_id TEXT,
                    error TEXT,
                    sent_at INTEGER,
                    updated_at INTEGER NOT NULL,
                    UNIQUE(campaign_id, subscriber_id)
                );
                CREATE INDEX deliveries_open ON deliveries(campaign_id, state, next_attempt_at) WHERE state IN ('pending', 'sending', 'uncertain');
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    account TEXT,
                    campaign_id INTEGER,
                    subscriber_id INTEGER,
                    delivery_id INTEGER,
                    detail TEXT
                );
                CREATE INDEX events_campaign ON events(campaign_id, kind, at);
                CREATE INDEX events_subscriber ON events(subscriber_id, at);
                CREATE TABLE automations (
                    account TEXT NOT NULL,
                    setting TEXT NOT NULL,
                    value TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY(account, setting)
                );
                CREATE TABLE feeds (
                    name TEXT PRIMARY KEY NOT NULL,
                    account TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    state TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2 delivery attempts, parts and duplicates") { db in
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN first_attempt_at INTEGER;
                ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE deliveries ADD COLUMN possible_duplicate INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX deliveries_sending ON deliveries(state) WHERE state = 'sending';
                """)
        }
        migrator.registerMigration("v3 campaign expiry") { db in
            try db.execute(sql: "ALTER TABLE campaigns ADD COLUMN expires_at INTEGER")
        }
        migrator.registerMigration("v4 stored campaign specs") { db in
            // The canonical `CampaignSpec` as JSON; NULL for campaigns accepted before v4 (their job text is decoded once).
            try db.execute(sql: "ALTER TABLE campaigns ADD COLUMN spec TEXT")
        }
        migrator.registerMigration("v5 media ids") { db in
            // A Telegram file_id belongs to the bot and a Messenger attachment_id to the Page: keyed by account.
            try db.execute(sql: """
                CREATE TABLE media (
                    account TEXT NOT NULL,
                    url TEXT NOT NULL,
                    media_id TEXT NOT NULL,
                    learned_at INTEGER NOT NULL,
                    PRIMARY KEY(account, url)
                ) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("v6 due-deliveries index") { db in
            // Keyed by campaign alone (rowid order is delivery order) and holding only what may be sent: a
            // mark takes a row out, a result leaves it out, instead of rewriting a (campaign, state, time) entry
            // at both steps. In-flight rows are found through deliveries_sending.
            try db.execute(sql: """
                DROP INDEX deliveries_open;
                CREATE INDEX deliveries_due ON deliveries(campaign_id) WHERE state IN ('pending', 'uncertain');
                """)
        }
        migrator.registerMigration("v7 inbound") { db in
            // `inbound`: every webhook body and polled update batch as received, written before the 200 answer;
            // processed in id order. `inbound_seen`: the events already acted on, by the platform's own id, so a
            // redelivery changes nothing. `telegram_offsets`: the next getUpdates offset, written with the updates.
            try db.execute(sql: """
                CREATE TABLE inbound (
                    id INTEGER PRIMARY KEY,
                    platform TEXT NOT NULL,
                    account TEXT,
                    body BLOB NOT NULL,
                    received_at INTEGER NOT NULL,
                    processed_at INTEGER,
                    error TEXT
                );
                CREATE INDEX inbound_unprocessed ON inbound(id) WHERE processed_at IS NULL;
                CREATE TABLE inbound_seen (
                    account TEXT NOT NULL,
                    key TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    PRIMARY KEY(account, key)
                ) WITHOUT ROWID;
                CREATE TABLE telegram_offsets (
                    account TEXT PRIMARY KEY NOT NULL,
                    next_offset INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE health (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    checked_at INTEGER NOT NULL
                );
                ALTER TABLE subscribers ADD COLUMN last_auto_reply_at INTEGER;
                ALTER TABLE subscribers ADD COLUMN profile_fetched_at INTEGER;
                ALTER TABLE deliveries ADD COLUMN delivered_at INTEGER;
                ALTER TABLE deliveries ADD COLUMN read_at INTEGER;
                CREATE INDEX deliveries_subscriber ON deliveries(subscriber_id);
                """)
        }
        migrator.registerMigration("v8 tracked links") { db in
            try db.execute(sql: """
                CREATE TABLE campaign_links (
                    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
                    link_index INTEGER NOT NULL,
                    url TEXT NOT NULL,
                    PRIMARY KEY(campaign_id, link_index)
                ) WITHOUT ROWID
                """)
        }
        migrator.registerMigration("v9 applied presentations") { db in
            // The `presentation` automation setting as last accepted by the platform, to call it only on change;
            // and the subscribers whose profile is wanted (profile_fetched_at = 0), found without a scan.
            try db.execute(sql: """
                CREATE TABLE presentation_applied (
                    account TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL,
                    applied_at INTEGER NOT NULL
                );
                CREATE INDEX subscribers_profile_wanted ON subscribers(id) WHERE profile_fetched_at = 0;
                """)
        }
        migrator.registerMigration("v10 retried deliveries") { db in
            // When a retry last put a campaign's failed deliveries back: the dispatcher reads its ledger again.
            try db.execute(sql: "ALTER TABLE campaigns ADD COLUMN requeued_at INTEGER")
        }
        migrator.registerMigration("v11 report counters") { db in
            // A report reads its campaign's figures instead of its events (ReportCounters); existing stores are counted once here.
            try db.execute(sql: ReportCounters.tables)
            try ReportCounters.rebuild(db)
        }
        migrator.registerMigration("v12 feed runs") { db in
            // A feed's poll state (validators, schedule, last outcome) and the items it has seen, sent or not.
            try db.execute(sql: """
                ALTER TABLE feeds ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE feeds ADD COLUMN polled_revision INTEGER;
                ALTER TABLE feeds ADD COLUMN title TEXT;
                ALTER TABLE feeds ADD COLUMN next_run_at INTEGER;
                ALTER TABLE feeds ADD COLUMN last_run_at INTEGER;
                ALTER TABLE feeds ADD COLUMN last_success_at INTEGER;
                ALTER TABLE feeds ADD COLUMN last_error TEXT;
                ALTER TABLE feeds ADD COLUMN etag TEXT;
                ALTER TABLE feeds ADD COLUMN last_modified TEXT;
                ALTER TABLE feeds ADD COLUMN items_sent INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE feeds ADD COLUMN campaigns_created INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE feed_items (
                    feed TEXT NOT NULL,
                    key TEXT NOT NULL,
                    title TEXT NOT NULL,
                    link TEXT,
                    state TEXT NOT NULL,
                    job_id TEXT,
                    seen_at INTEGER NOT NULL,
                    PRIMARY KEY(feed, key)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v13 growth tools") { db in
            // The website buttons, forms, landing pages and codes that subscribe people (growth_tool jobs).
            try db.execute(sql: """
                CREATE TABLE growth_tools (
                    name TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v14 popup forms") { db in
            // A popup form's submissions wait in `growth_optins` for the person to arrive with the token (kept
            // hashed); the consent they gave stays with the subscriber; views and submissions are counted per
            // tool and UTC day (`growth_counts`: view, bot_view, submission, honeypot, rejected, claimed).
            try db.execute(sql: """
                CREATE TABLE growth_optins (
                    id INTEGER PRIMARY KEY,
                    tool TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    submission TEXT NOT NULL,
                    consent_text TEXT,
                    consent_version TEXT,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    used_at INTEGER,
                    subscriber_id INTEGER
                );
                CREATE INDEX growth_optins_unused ON growth_optins(expires_at) WHERE used_at IS NULL;
                CREATE INDEX growth_optins_subscriber ON growth_optins(subscriber_id) WHERE subscriber_id IS NOT NULL;
                CREATE TABLE subscriber_consents (
                    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
                    tool TEXT NOT NULL,
                    text TEXT NOT NULL,
                    version TEXT NOT NULL,
                    given_at INTEGER NOT NULL,
                    PRIMARY KEY (subscriber_id, tool, version)
                ) WITHOUT ROWID;
                CREATE TABLE growth_counts (
                    tool TEXT NOT NULL,
                    day TEXT NOT NULL,
                    name TEXT NOT NULL,
                    n INTEGER NOT NULL,
                    PRIMARY KEY (tool, day, name)
                ) WITHOUT ROWID;
                CREATE INDEX events_subscribed ON events(kind, at) WHERE kind IN ('subscribed', 'form_claimed');
                """)
        }
        return migrator
    }
}
