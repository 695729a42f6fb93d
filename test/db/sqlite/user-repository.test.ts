import t from 'tap'
import { userRepositoryContract } from '../contracts/users.js'
import { openSqlite } from './open-database.js'

userRepositoryContract(t, openSqlite)
