-- A phone number's type (local, toll-free, mobile; read from the number and the catalog's
-- inventory when it is bought), so the typed lists (IncomingPhoneNumbers/Local|TollFree|Mobile)
-- filter and page in SQL. NULL for rows stored before this column: each start of the server
-- classifies them (`Store::classify_numbers`).
ALTER TABLE phone_numbers ADD COLUMN number_type TEXT;
CREATE INDEX phone_numbers_by_type ON phone_numbers(account_sid, number_type, seq);
