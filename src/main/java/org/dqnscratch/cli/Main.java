package org.dqnscratch.cli;

/** Placeholder entry point until the command line lands (issue: CartPole end to end). */
public final class Main {
    public static void main(String[] args) {
        System.out.println("dqn-scratch: engine core only so far; commands come with the CartPole issue");
    }
}
