-- What a message carries besides its text (a photo's size and thumbnail, a document's name,
-- a place, contact cards, the message it quotes), as JSON; NULL for plain text. Its kind is
-- in `messages.kind` (text stays 'chat').
ALTER TABLE messages ADD COLUMN details TEXT;
