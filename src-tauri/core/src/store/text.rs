//! Reading and writing the domains' text enums (`text_enum!`) as their words.

/// `ToSql` and `FromSql` for a text enum: written as its word; a word this build doesn't
/// know reads as an error naming it (only a damaged file holds one: a newer build's
/// database is refused before it is read).
macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl rusqlite::types::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $ty {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<$ty> {
                let word = value.as_str()?;
                <$ty>::parse(word).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(
                        format!("“{word}” is not a {}", stringify!($ty)).into(),
                    )
                })
            }
        }
    )+};
}

stored_as_text!(
    crate::model::lead::Stage,
    crate::model::lead::ChangedBy,
    crate::model::chat::ChatKind,
    crate::model::chat::Direction,
    crate::model::chat::Origin,
    crate::model::inbox::InboxState,
    crate::model::quick_reply::MatchKind,
    crate::model::message_kind::MessageKind,
    crate::model::media::MediaState,
    crate::model::transcript::HearingState,
);
