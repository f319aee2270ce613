CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TYPE "Plan" AS ENUM ('FREE', 'PAID');
CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL, role "Role" NOT NULL DEFAULT 'USER', roles "Role"[]);
CREATE TABLE "Team" (id serial PRIMARY KEY, plan "Plan" DEFAULT 'FREE'::"Plan", owner_role "Role");
