import { describe, expect, it } from '@jest/globals';
import { checkPrerequisites, parseJavaMajorVersion, parseNodeMajorVersion } from '../../../local/prerequisites';

describe('parseJavaMajorVersion', () => {
  it('reads the major of a modern OpenJDK version line', () => {
    expect(parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment')).toBe(17);
    expect(parseJavaMajorVersion('java version "21" 2023-09-19 LTS')).toBe(21);
    expect(parseJavaMajorVersion('openjdk version "25-ea" 2025-09-16')).toBe(25);
  });

  it('reads the legacy 1.x scheme as its minor (Java 8)', () => {
    expect(parseJavaMajorVersion('java version "1.8.0_392"\nJava(TM) SE Runtime Environment')).toBe(8);
  });

  it('returns undefined when there is no version line', () => {
    expect(parseJavaMajorVersion('Error: could not find libjava.so')).toBe(undefined);
  });
});

describe('parseNodeMajorVersion', () => {
  it('reads the major with or without a leading v', () => {
    expect(parseNodeMajorVersion('24.21.0')).toBe(24);
    expect(parseNodeMajorVersion('v20.19.1')).toBe(20);
  });
});

describe('checkPrerequisites', () => {
  it('resolves on this machine (pinned Node 24, Java 17+)', async () => {
    await checkPrerequisites();
  });

  it('names the apt and brew commands when java is not on the PATH', async () => {
    await expect(checkPrerequisites({ javaCommand: '/nonexistent/bin/java' })).rejects.toThrow(expect.toSatisfy((e: Error) => {
      expect(e.message).toMatch(/Java was not found/);
      expect(e.message).toMatch(/sudo apt-get install -y openjdk-17-jre-headless/);
      expect(e.message).toMatch(/brew install openjdk@17/);
      return true;
    }));
  });

  it('rejects a Node older than 20 and says how to use the pinned one', async () => {
    await expect(checkPrerequisites({ nodeVersion: '18.20.4' })).rejects.toThrow(expect.toSatisfy((e: Error) => {
      expect(e.message).toMatch(/Node\.js 20\+ is required, found 18\.20\.4/);
      expect(e.message).toMatch(/node_modules\/\.bin/);
      return true;
    }));
  });

  it('reports a Java that prints no version as unreadable', async () => {
    // `true` exits 0 and prints nothing: a broken or unexpected launcher.
    await expect(checkPrerequisites({ javaCommand: 'true' })).rejects.toThrow(/Could not read the Java version/);
  });
});
