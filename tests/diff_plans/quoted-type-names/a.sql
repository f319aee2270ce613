CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL);
